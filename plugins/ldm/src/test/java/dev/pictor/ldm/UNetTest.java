package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.api.testing.Tolerance;
import dev.pictor.nn.Graph;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The UNet against CompVis's {@code UNetModel} with spatial transformers (fixtures from
 * {@code src/test/python/make_ldm_fixtures.py}): forward and gradients (parameters, latent, context) in float64, the
 * inference graph in float32 in both layouts, and Stable Diffusion v1's UNet keys.
 */
class UNetTest {
    /** The fixture's unet_config. */
    static final UNetConfig SMALL = new UNetConfig(4, 4, 32, 1, List.of(1, 2), List.of(1, 2), 2, -1, 1, 24);

    @Test
    void forwardAndGradientsMatchUpstreamInFloat64() {
        forwardAndGradientsInFloat64("ldm_unet", SMALL);
    }

    /**
     * Scale-shift norms ({@code use_scale_shift_norm}) and a vector condition added to the time embedding by
     * {@code label_emb} (Stability's {@code sgm} UNet with {@code adm_in_channels}): CompVis's module with sgm's sum
     * (see the fixture script), forward and gradients, the vector's included.
     */
    @Test
    void scaleShiftNormsAndAVectorConditionMatchUpstreamInFloat64() {
        forwardAndGradientsInFloat64("ldm_unet_scale_shift_vector", new UNetConfig(4, 4, 32, 1, List.of(1, 2),
                List.of(1, 2), 2, -1, 1, 24, true, 12));
    }

    private static void forwardAndGradientsInFloat64(String fixture, UNetConfig config) {
        Map<String, INDArray> f = Fixtures.tensors(UNetTest.class, fixture);
        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN);
        SDVariable x = g.sameDiff().var("x", f.get("input.x").castTo(DataType.DOUBLE));
        SDVariable context = g.sameDiff().var("context", f.get("input.context").castTo(DataType.DOUBLE));
        SDVariable y = config.admInChannels() > 0 ? g.sameDiff().var("y", f.get("input.y").castTo(DataType.DOUBLE))
                : null;
        SDVariable t = g.input("t", DataType.LONG, -1);
        SDVariable eps = new UNet(config).apply(g, x, t, context, y);
        SDVariable loss = g.sameDiff().sum(eps.mul(g.sameDiff().constant(f.get("loss_weight.eps")
                .castTo(DataType.DOUBLE))));
        g.load(Fixtures.under(f, "param."), true);
        Map<String, INDArray> in = Map.of("t", f.get("input.timesteps"));
        Map<String, INDArray> out = g.output(in, eps, loss);
        Tolerance.assertClose(out.get(eps.name()).castTo(DataType.DOUBLE), f.get("output.eps").castTo(DataType.DOUBLE),
                0, "eps");
        Tolerance.assertClose(out.get(loss.name()).reshape(1).castTo(DataType.DOUBLE),
                f.get("output.loss").castTo(DataType.DOUBLE), 0, "loss");

        Map<String, INDArray> expected = Fixtures.under(f, "grad.param.");
        assertThat(new TreeSet<>(g.paramNames())).isEqualTo(new TreeSet<>(expected.keySet()));
        double scale = Tolerance.scale(expected.values());
        List<String> wrt = new java.util.ArrayList<>(g.paramNames());
        wrt.add("x");
        wrt.add("context");
        if (y != null) {
            wrt.add("y");
        }
        Map<String, INDArray> grads = g.gradientRunner(loss, wrt).compute(in).gradients();
        for (String p : g.paramNames()) {
            Tolerance.assertClose(grads.get(p).castTo(DataType.DOUBLE), expected.get(p).castTo(DataType.DOUBLE), scale,
                    "gradient of " + p);
        }
        Tolerance.assertClose(grads.get("x"), f.get("grad.input.x").castTo(DataType.DOUBLE), 0, "gradient of x");
        Tolerance.assertClose(grads.get("context"), f.get("grad.input.context").castTo(DataType.DOUBLE), 0,
                "gradient of the context");
        if (y != null) {
            Tolerance.assertClose(grads.get("y"), f.get("grad.input.y").castTo(DataType.DOUBLE), 0,
                    "gradient of the vector condition");
        }
    }

    /** The float32 training graph (fused LayerNorm kernels on by default): gradients within float32 rounding. */
    @Test
    void float32TrainingGradientsMatchUpstream() {
        Map<String, INDArray> f = Fixtures.tensors(UNetTest.class, "ldm_unet");
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.TRAIN);
        assertThat(g.fusedTraining()).isTrue();
        SDVariable eps = new UNet(SMALL).apply(g, g.input("x", -1, 4, 8, 8), g.input("t", DataType.LONG, -1),
                g.input("context", -1, 5, 24));
        SDVariable loss = g.sameDiff().sum(eps.mul(g.sameDiff().constant(f.get("loss_weight.eps")
                .castTo(DataType.FLOAT))));
        g.load(Fixtures.under(f, "param."), true);
        Map<String, INDArray> in = Map.of("x", f.get("input.x").castTo(DataType.FLOAT), "t", f.get("input.timesteps"),
                "context", f.get("input.context").castTo(DataType.FLOAT));
        Map<String, INDArray> grads = g.gradientRunner(loss, g.paramNames()).compute(in).gradients();
        Map<String, INDArray> expected = Fixtures.under(f, "grad.param.");
        double scale = Tolerance.scale(expected.values());
        for (String p : g.paramNames()) {
            // float32 rounding through a deep network, relative to the case's largest gradient
            INDArray e = expected.get(p).castTo(DataType.DOUBLE);
            double worst = grads.get(p).castTo(DataType.DOUBLE).sub(e).amaxNumber().doubleValue();
            assertThat(worst).as("gradient of " + p + ", case scale " + scale).isLessThanOrEqualTo(1e-5 * scale);
        }
    }

    @ParameterizedTest
    @EnumSource(Graph.Layout.class)
    void inferenceGraphInFloat32MatchesUpstream(Graph.Layout layout) {
        Map<String, INDArray> f = Fixtures.tensors(UNetTest.class, "ldm_unet");
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER).layout(layout);
        boolean nhwc = layout == Graph.Layout.NHWC;
        SDVariable x = nhwc ? g.input("x", -1, 8, 8, 4) : g.input("x", -1, 4, 8, 8);
        SDVariable eps = new UNet(SMALL).apply(g, x, g.input("t", DataType.LONG, -1), g.input("context", -1, 5, 24));
        g.load(Fixtures.under(f, "param."), true);
        INDArray latent = f.get("input.x");
        Map<String, INDArray> in = Map.of("x", (nhwc ? latent.permute(0, 2, 3, 1) : latent).castTo(DataType.FLOAT)
                .dup('c'), "t", f.get("input.timesteps"), "context", f.get("input.context").castTo(DataType.FLOAT));
        INDArray out = g.output(in, eps);
        Tolerance.assertClose32(nhwc ? out.permute(0, 3, 1, 2).dup('c') : out, f.get("output.eps"), layout + " eps");
    }

    @Test
    void stableDiffusionV1UNetKeysAreTheModelsKeyForKey() {
        Map<String, long[]> upstream = Fixtures.shapes(UNetTest.class, "keys_sd_v1_unet");
        assertThat(upstream).hasSize(686);
        Graph g = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        new UNet(UNetConfig.SD_V1).apply(g, g.input("x", -1, 4, 64, 64), g.input("t", DataType.LONG, -1),
                g.input("context", -1, 77, 768));
        Graph.checkState(g.shapes(), upstream, true);   // names the first missing or unexpected key
        assertThat(g.shapes().keySet()).containsExactlyInAnyOrderElementsOf(upstream.keySet());
    }

    @Test
    void configRoundTripsThroughJsonAndRefusesWhatItCannotBuild() {
        assertThat(UNetConfig.parse(SMALL.toJson(), "test")).isEqualTo(SMALL);
        assertThat(UNetConfig.parse(UNetConfig.SD_V1.toJson(), "test")).isEqualTo(UNetConfig.SD_V1);
        assertThat(UNetConfig.SD_V1.heads(640)).isEqualTo(8);
        assertThat(UNetConfig.SD_V1.headWidth(640)).isEqualTo(80);
        assertThatThrownBy(() -> new UNetConfig(4, 4, 32, 1, List.of(1), List.of(1), 2, 64, 1, 24))
                .isInstanceOf(BadInputException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new UNetConfig(4, 4, 48, 1, List.of(1), List.of(1), 2, -1, 1, 24))
                .isInstanceOf(BadInputException.class).hasMessageContaining("multiple of 32");
    }
}
