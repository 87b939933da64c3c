package dev.pictor.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pictor.api.testing.Fixtures;
import dev.pictor.api.testing.Tolerance;
import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Activation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ClipModel against OpenAI's own {@code clip/model.py} (fixtures from src/test/python/make_clip_fixtures.py): the
 * same weights, loaded through the OpenAI layout, give the same image and text vectors, token states, logits,
 * contrastive loss and gradients of every parameter — in float64 to the project's parity tolerance (1e-5).
 */
class ClipModelParityTest {
    static final ClipConfig.TextTower TEXT = new ClipConfig.TextTower(300, 16, 64, 4, 2, 256);
    static final ClipConfig VIT = new ClipConfig(32, TEXT, new ClipConfig.VisionTransformer(32, 8, 128, 2, 2, 512),
            Activation.QUICK_GELU, 1e-5);
    static final ClipConfig RN = new ClipConfig(32, TEXT, new ClipConfig.ModifiedResNet(64, List.of(1, 2, 1, 1), 8, 4),
            Activation.QUICK_GELU, 1e-5);

    static Map<String, INDArray> fixture(String name) {
        return Fixtures.tensors(ClipModelParityTest.class, name);
    }

    static Map<String, INDArray> under(Map<String, INDArray> all, String prefix) {
        return Fixtures.under(all, prefix);
    }

    static ClipConfig config(String name) {
        return name.equals("clip_vit") ? VIT : RN;
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_vit", "clip_rn"})
    void forwardLossAndGradientsMatchUpstreamInFloat64(String name) {
        Map<String, INDArray> f = fixture(name);
        ClipModel clip = new ClipModel(config(name), new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN));
        Graph g = clip.graph();
        g.load(ClipCheckpoint.toCanonical(under(f, "param.")), true);

        Map<String, INDArray> in = inputs(clip, f, DataType.DOUBLE);
        var sd = g.sameDiff();
        SDVariable logits = clip.logitsPerImage();
        SDVariable loss = clip.contrastiveLoss()
                .add(sd.sum(clip.image().tokens().mul(sd.constant(f.get("loss_weight.image_tokens").castTo(DataType.DOUBLE)))))
                .add(sd.sum(clip.text().tokens().mul(sd.constant(f.get("loss_weight.text_tokens").castTo(DataType.DOUBLE)))));
        Map<String, INDArray> out = g.output(in, clip.image().projected(), clip.text().projected(),
                clip.image().tokens(), clip.text().tokens(), logits, loss);
        close(out.get(clip.image().projected().name()), f.get("output.image_features"), 0, name + " image features");
        close(out.get(clip.text().projected().name()), f.get("output.text_features"), 0, name + " text features");
        close(out.get(clip.image().tokens().name()), f.get("output.image_tokens"), 0, name + " image tokens");
        close(out.get(clip.text().tokens().name()), f.get("output.text_tokens"), 0, name + " text tokens");
        close(out.get(logits.name()), f.get("output.logits_per_image"), 0, name + " logits");
        close(out.get(loss.name()).reshape(1), f.get("output.loss"), 0, name + " loss");

        Map<String, INDArray> expected = ClipCheckpoint.toCanonical(under(f, "grad.param."));
        assertEquals(new java.util.TreeSet<>(g.paramNames()), new java.util.TreeSet<>(expected.keySet()),
                "every upstream parameter has a gradient here and no other");
        double scale = Tolerance.scale(expected.values());
        Map<String, INDArray> grads = g.gradientRunner(loss, g.paramNames()).compute(in).gradients();
        for (String p : g.paramNames()) {
            close(grads.get(p), expected.get(p), scale, name + " gradient of " + p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_vit", "clip_rn"})
    void inferenceGraphInFloat32MatchesUpstream(String name) {
        Map<String, INDArray> f = fixture(name);
        ClipModel clip = new ClipModel(config(name), Graph.Mode.INFER, 0);
        clip.graph().load(ClipCheckpoint.toCanonical(under(f, "param.")), true);
        Map<String, INDArray> out = clip.graph().output(inputs(clip, f, DataType.FLOAT), clip.image().projected(),
                clip.text().projected());
        // float32 against a float64 reference: a float32 tolerance
        assertClose32(out.get(clip.image().projected().name()), f.get("output.image_features"), name + " image");
        assertClose32(out.get(clip.text().projected().name()), f.get("output.text_features"), name + " text");
    }

    static Map<String, INDArray> inputs(ClipModel clip, Map<String, INDArray> f, DataType type) {
        Map<String, INDArray> in = new LinkedHashMap<>(ClipModel.textInputs(clip.config(), f.get("input.text")));
        in.replaceAll((k, v) -> v.dataType().isFPType() ? v.castTo(type) : v);
        in.put(ClipModel.PIXELS, f.get("input.image").castTo(type));
        in.put(ClipModel.TARGETS, ClipModel.identityTargets((int) f.get("input.image").size(0)).castTo(type));
        return in;
    }

    static void close(INDArray actual, INDArray expected, double scale, String what) {
        Tolerance.assertClose(actual.castTo(DataType.DOUBLE), expected.castTo(DataType.DOUBLE), scale, what);
    }

    static void assertClose32(INDArray actual, INDArray expected, String what) {
        Tolerance.assertClose32(actual, expected, what);
    }

    static List<String> names(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }
}
