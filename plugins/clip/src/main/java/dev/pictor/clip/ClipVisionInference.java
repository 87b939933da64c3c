package dev.pictor.clip;

import static dev.pictor.clip.ClipTextInference.param;

import dev.pictor.api.BadInputException;
import dev.pictor.clip.ClipConfig.VisionTransformer;
import dev.pictor.nn.inference.Buffers;
import dev.pictor.nn.inference.RowKernels;
import dev.pictor.nn.inference.TransformerStack;
import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CLIP's ViT image tower on fused oneDNN kernels: the same parameters and results as {@link ClipModel#image} (to
 * float32 rounding). The patch embedding — a convolution whose stride is its kernel — is one matrix product over
 * the image cut into patches (one strided copy); the class token and positions are added in place; the layers run
 * as one {@link TransformerStack}. Buffers grow to the largest batch and are reused; the embedding's kernels are
 * kept for the last few batch sizes. Not thread-safe; close it.
 *
 * <pre>{@code
 * try (ClipVisionInference vision = new ClipVisionInference(config, weights)) {
 *     INDArray vectors = vision.encode(pixels).projected();   // pixels [B, 3, 224, 224] → [B, 512]
 * }
 * }</pre>
 */
public final class ClipVisionInference implements AutoCloseable {
    /** One batch's outputs: token states {@code [B, 1+grid², width]} (this object's array), pooled, projected. */
    public record Result(INDArray tokens, INDArray pooled, INDArray projected) {
    }

    private final ClipConfig config;
    private final VisionTransformer vit;
    private final RowKernels.Linear patchEmbedding;
    /** Row 0: class embedding + position 0; rows 1…: positions of the patches. {@code [1+grid², width]} */
    private final INDArray start;
    private final RowKernels.Norm preNorm;
    private final TransformerStack layers;
    private final RowKernels.Norm postNorm;
    private final RowKernels.Linear projection;
    private final Map<Integer, Embedding> embeddings = new LinkedHashMap<>(8, 0.75f, true);
    private INDArray patchBuffer;
    private INDArray embeddedBuffer;
    private INDArray sequenceBuffer;

    public ClipVisionInference(ClipConfig config, Map<String, INDArray> params) {
        if (!(config.vision() instanceof VisionTransformer v)) {
            throw new IllegalArgumentException("the fused image tower is a ViT; this config has a ResNet");
        }
        this.config = config;
        this.vit = v;
        INDArray conv = param(params, "vision_model.embeddings.patch_embedding.weight");   // [w, 3, p, p]
        this.patchEmbedding = RowKernels.linear(conv.reshape(v.width(), 3L * v.patchSize() * v.patchSize()), null);
        INDArray positions = param(params, "vision_model.embeddings.position_embedding.weight").castTo(DataType.FLOAT);
        this.start = positions.dup('c');
        start.getRow(0).addi(param(params, "vision_model.embeddings.class_embedding").castTo(DataType.FLOAT));
        this.preNorm = RowKernels.layerNorm(param(params, "vision_model.pre_layrnorm.weight"),
                param(params, "vision_model.pre_layrnorm.bias"), config.layerNormEps());
        this.layers = TransformerStack.of(ClipModel.visionBlock(config, v),
                TransformerStack.prefixes("vision_model.encoder.layers", v.layers()), params);
        this.postNorm = RowKernels.layerNorm(param(params, "vision_model.post_layernorm.weight"),
                param(params, "vision_model.post_layernorm.bias"), config.layerNormEps());
        this.projection = RowKernels.linear(param(params, "visual_projection.weight"), null);
    }

    public ClipConfig config() {
        return config;
    }

    /** Encodes normalised images {@code [B, 3, R, R]} (R the config's image size). */
    public Result encode(INDArray pixels) {
        int r = vit.imageSize();
        if (pixels.rank() != 4 || pixels.size(1) != 3 || pixels.size(2) != r || pixels.size(3) != r) {
            throw new BadInputException("expected images [batch, 3, " + r + ", " + r + "], got "
                    + java.util.Arrays.toString(pixels.shape()) + ": resize them to the model's " + r + " pixels");
        }
        int batch = (int) pixels.size(0);
        int g = vit.grid();
        int p = vit.patchSize();
        long w = vit.width();
        long patches = (long) g * g;
        long seq = patches + 1;
        patchBuffer = Buffers.grow(patchBuffer, batch * patches * 3 * p * p);
        embeddedBuffer = Buffers.grow(embeddedBuffer, batch * patches * w);
        sequenceBuffer = Buffers.grow(sequenceBuffer, batch * seq * w);
        Embedding e = embeddings.get(batch);
        if (e == null) {
            e = new Embedding(batch);
            embeddings.put(batch, e);
            if (embeddings.size() > ClipResNetInference.PLANS) {
                embeddings.remove(embeddings.keySet().iterator().next()).close();
            }
        }
        INDArray image = pixels.dataType() == DataType.FLOAT && Kernels.isWhole(pixels) ? pixels
                : pixels.castTo(DataType.FLOAT).dup('c');
        e.cut.bind(Args.SRC, image).bind(Args.DST, patchBuffer).execute();
        INDArray embedded = Buffers.prefix(embeddedBuffer, batch * patches, w);
        patchEmbedding.apply(Buffers.prefix(patchBuffer, batch * patches, 3L * p * p), embedded);
        INDArray x = Buffers.prefix(sequenceBuffer, batch, seq, w);
        e.place.bind(Args.SRC, embedded).bind(Args.DST, x, w).execute();
        x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(0);
        e.start.bind(Args.SRC, x).bind(Args.SRC_1, start).bind(Args.DST, x).execute();
        preNorm.apply(x.reshape('c', batch * seq, w));
        INDArray tokens = layers.run(x, null, false);
        INDArray pooled = tokens.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c');
        postNorm.apply(pooled);
        return new Result(tokens, pooled, projection.apply(pooled));
    }

    /**
     * oneDNN kernels that embed one batch size's patches: the cut of {@code [B, 3, g·p, g·p]} images into rows
     * {@code [B·g², 3·p·p]} (each a patch in the convolution weight's (c, y, x) order: one strided copy), the move of
     * the embedded patches to rows 1… of the sequence, and the add of the class token and positions.
     */
    private final class Embedding implements AutoCloseable {
        final Primitive cut;
        final Primitive place;
        final Primitive start;

        Embedding(int batch) {
            long g = vit.grid();
            long p = vit.patchSize();
            long r = g * p;
            long w = vit.width();
            long seq = g * g + 1;
            // element (b, gy, gx, c, py, px) of the image sits at b·3r² + c·r² + (gy·p + py)·r + gx·p + px
            cut = Kernels.reorder(View.of(new long[] {batch, g, g, 3, p, p},
                    new long[] {3 * r * r, p * r, p, r * r, r, 1}), View.dense(batch, g, g, 3, p, p));
            place = Kernels.reorder(View.dense(batch, g * g, w), View.of(new long[] {batch, g * g, w},
                    new long[] {seq * w, w, 1}));
            start = Kernels.add(View.dense(batch, seq, w), View.dense(1, seq, w), View.dense(batch, seq, w));
        }

        @Override
        public void close() {
            cut.close();
            place.close();
            start.close();
        }
    }

    @Override
    public void close() {
        embeddings.values().forEach(Embedding::close);
        embeddings.clear();
        patchEmbedding.close();
        preNorm.close();
        layers.close();
        postNorm.close();
        projection.close();
    }
}
