package dev.pictor.clip;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.nn.onednn.OneDnn;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CLIP's image tower as an {@link Encoder} of Pictor's image tensors ({@code [N, 3, H, W]} in [-1, 1]): images
 * of another size than the model's are resized and centre-cropped as CLIP's preprocessing does
 * ({@link ClipImages}), then normalised. Gives the token states, the pooled class-token state (ViT) and the
 * projection into the joint space. Where oneDNN is available a ViT runs on {@link ClipVisionInference} and a ResNet
 * on {@link ClipResNetInference}; elsewhere both run on the graph. One thread at a time; close it.
 *
 * <pre>{@code
 * var image = new ClipImageEncoder(config, weights);
 * INDArray v = image.encode(pixels, Set.of(Output.PROJECTED)).get(Output.PROJECTED);   // [N, embed]
 * }</pre>
 */
public final class ClipImageEncoder implements Encoder<INDArray> {
    private final ClipConfig config;
    private ClipVisionInference fused;
    private ClipResNetInference fusedResNet;
    private ClipModel graph;

    public ClipImageEncoder(ClipConfig config, Map<String, INDArray> weights) {
        this.config = config;
        if (OneDnn.available() && config.vision() instanceof ClipConfig.VisionTransformer) {
            fused = new ClipVisionInference(config, weights);
        } else if (OneDnn.available()) {
            fusedResNet = new ClipResNetInference(config, weights);
        } else {
            graph = new ClipModel(config, dev.pictor.nn.Graph.Mode.INFER, 0);
            graph.graph().load(weights, true);
        }
    }

    @Override
    public String name() {
        return "clip-image";
    }

    @Override
    public Class<INDArray> inputType() {
        return INDArray.class;
    }

    @Override
    public Set<Output> outputs() {
        return config.vision() instanceof ClipConfig.VisionTransformer
                ? EnumSet.of(Output.TOKENS, Output.POOLED, Output.PROJECTED)
                : EnumSet.of(Output.TOKENS, Output.PROJECTED);
    }

    @Override
    public long dimension(Output output) {
        return output == Output.PROJECTED ? config.embedDim() : config.vision().tokenWidth();
    }

    @Override
    public Encodings encode(INDArray images, Set<Output> wanted) {
        Encodings.check(this, wanted);
        INDArray pixels = ClipImages.prepare(images, config.vision().imageSize());
        Encodings.Builder b = Encodings.builder(name());
        if (fused != null) {
            ClipVisionInference.Result r = fused.encode(pixels);
            if (wanted.contains(Output.TOKENS)) {
                b.put(Output.TOKENS, r.tokens().dup());
            }
            if (wanted.contains(Output.POOLED)) {
                b.put(Output.POOLED, r.pooled());
            }
            if (wanted.contains(Output.PROJECTED)) {
                b.put(Output.PROJECTED, r.projected());
            }
            return b.build();
        }
        if (fusedResNet != null) {
            ClipResNetInference.Result r = fusedResNet.encode(pixels);
            if (wanted.contains(Output.TOKENS)) {
                b.put(Output.TOKENS, r.tokens());
            }
            if (wanted.contains(Output.PROJECTED)) {
                b.put(Output.PROJECTED, r.projected());
            }
            return b.build();
        }
        ClipModel.Tower t = graph.image();
        java.util.List<org.nd4j.autodiff.samediff.SDVariable> outs = new java.util.ArrayList<>();
        java.util.Map<Output, org.nd4j.autodiff.samediff.SDVariable> by = new java.util.EnumMap<>(Output.class);
        by.put(Output.TOKENS, t.tokens());
        by.put(Output.POOLED, t.pooled());
        by.put(Output.PROJECTED, t.projected());
        wanted.forEach(o -> outs.add(by.get(o)));
        Map<String, INDArray> out = graph.graph().output(Map.of(ClipModel.PIXELS, pixels),
                outs.toArray(org.nd4j.autodiff.samediff.SDVariable[]::new));
        wanted.forEach(o -> b.put(o, out.get(by.get(o).name())));
        return b.build();
    }

    @Override
    public void close() {
        if (fused != null) {
            fused.close();
        }
        if (fusedResNet != null) {
            fusedResNet.close();
        }
    }
}
