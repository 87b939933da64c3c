package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The autoencoder against CompVis's own modules (fixtures from {@code src/test/python/make_ldm_fixtures.py}):
 * forward and gradients in float64, the inference graph in float32 in both layouts, and Stable Diffusion v1's
 * first-stage keys.
 */
class KlAutoencoderTest {
    /** The fixture's ddconfig. */
    static final AutoencoderConfig SMALL = new AutoencoderConfig(32, List.of(1, 2), 1, List.of(8), 16, 3, 3, 4, 4,
            1.0);

    @Test
    void forwardKlAndGradientsMatchUpstreamInFloat64() {
        Map<String, INDArray> f = Fixtures.tensors(KlAutoencoderTest.class, "ldm_autoencoder");
        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN);
        KlAutoencoder ae = new KlAutoencoder(SMALL);
        var sd = g.sameDiff();
        SDVariable image = g.input("image", -1, 3, 16, 16);
        SDVariable noise = g.input("noise", -1, 4, 8, 8);
        SDVariable latent = g.input("latent", -1, 4, 8, 8);
        SDVariable moments = ae.encode(g, image);
        KlAutoencoder.Posterior posterior = KlAutoencoder.posterior(g, moments);
        SDVariable kl = posterior.kl(g);
        SDVariable decoded = ae.decode(g, latent);
        SDVariable reconstruction = ae.decode(g, posterior.sample(noise));
        SDVariable loss = sd.sum(moments.mul(constant(g, f, "loss_weight.moments")))
                .add(sd.sum(decoded.mul(constant(g, f, "loss_weight.decoded"))))
                .add(sd.sum(reconstruction.mul(constant(g, f, "loss_weight.reconstruction")))).add(sd.sum(kl));
        g.load(Fixtures.under(f, "param."), true);
        Map<String, INDArray> in = Map.of("image", f.get("input.image").castTo(DataType.DOUBLE), "noise",
                f.get("input.noise").castTo(DataType.DOUBLE), "latent", f.get("input.latent").castTo(DataType.DOUBLE));
        Map<String, INDArray> out = g.output(in, moments, kl, decoded, reconstruction, loss);
        close(out.get(moments.name()), f.get("output.moments"), 0, "moments");
        close(out.get(kl.name()), f.get("output.kl"), 0, "kl");
        close(out.get(decoded.name()), f.get("output.decoded"), 0, "decoded");
        close(out.get(reconstruction.name()), f.get("output.reconstruction"), 0, "reconstruction");
        close(out.get(loss.name()).reshape(1), f.get("output.loss"), 0, "loss");

        Map<String, INDArray> expected = Fixtures.under(f, "grad.param.");
        assertThat(new TreeSet<>(g.paramNames())).isEqualTo(new TreeSet<>(expected.keySet()));
        double scale = Tolerance.scale(expected.values());
        Map<String, INDArray> grads = g.gradientRunner(loss, g.paramNames()).compute(in).gradients();
        for (String p : g.paramNames()) {
            close(grads.get(p), expected.get(p), scale, "gradient of " + p);
        }
    }

    @ParameterizedTest
    @EnumSource(Graph.Layout.class)
    void inferenceGraphInFloat32MatchesUpstream(Graph.Layout layout) {
        Map<String, INDArray> f = Fixtures.tensors(KlAutoencoderTest.class, "ldm_autoencoder");
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER).layout(layout);
        KlAutoencoder ae = new KlAutoencoder(SMALL);
        boolean nhwc = layout == Graph.Layout.NHWC;
        SDVariable image = nhwc ? g.input("image", -1, 16, 16, 3) : g.input("image", -1, 3, 16, 16);
        SDVariable latent = nhwc ? g.input("latent", -1, 8, 8, 4) : g.input("latent", -1, 4, 8, 8);
        SDVariable moments = ae.encode(g, image);
        SDVariable decoded = ae.decode(g, latent);
        g.load(Fixtures.under(f, "param."), true);
        Map<String, INDArray> in = Map.of("image", Fixtures.toLayout(f.get("input.image"), nhwc), "latent",
                Fixtures.toLayout(f.get("input.latent"), nhwc));
        Map<String, INDArray> out = g.output(in, moments, decoded);
        Tolerance.assertClose32(Fixtures.toNchw(out.get(moments.name()), nhwc), f.get("output.moments"),
                layout + " moments");
        Tolerance.assertClose32(Fixtures.toNchw(out.get(decoded.name()), nhwc), f.get("output.decoded"),
                layout + " decoded");
    }

    @Test
    void stableDiffusionV1FirstStageKeysAreTheModelsKeyForKey() {
        Map<String, long[]> upstream = Fixtures.shapes(KlAutoencoderTest.class, "keys_sd_v1_autoencoder");
        Graph g = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        KlAutoencoder ae = new KlAutoencoder(AutoencoderConfig.SD_V1);
        ae.decode(g, KlAutoencoder.posterior(g, ae.encode(g, g.input("image", -1, 3, 256, 256))).mean());
        Graph.checkState(g.shapes(), upstream, true);   // names the first missing or unexpected key
        assertThat(g.shapes().keySet()).containsExactlyInAnyOrderElementsOf(upstream.keySet());
        assertThat(upstream).hasSize(248);
    }

    @Test
    void configRoundTripsThroughJsonAndRefusesWidthsGroupNormCannotSplit() {
        AutoencoderConfig back = AutoencoderConfig.parse(SMALL.toJson(), "test");
        assertThat(back).isEqualTo(SMALL);
        assertThat(AutoencoderConfig.SD_V1.latentSize()).isEqualTo(32);
        assertThat(AutoencoderConfig.SD_V1.factor()).isEqualTo(8);
        assertThatThrownBy(() -> new AutoencoderConfig(48, List.of(1), 1, List.of(), 16, 3, 3, 4, 4, 1.0))
                .isInstanceOf(BadInputException.class).hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> AutoencoderConfig.parse(new ObjectMapper().createObjectNode(), "cfg.json"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("ddconfig");
    }

    private static SDVariable constant(Graph g, Map<String, INDArray> f, String name) {
        return g.sameDiff().constant(f.get(name).castTo(DataType.DOUBLE));
    }

    static void close(INDArray actual, INDArray expected, double scale, String what) {
        Tolerance.assertClose(actual.castTo(DataType.DOUBLE), expected.castTo(DataType.DOUBLE), scale, what);
    }
}
