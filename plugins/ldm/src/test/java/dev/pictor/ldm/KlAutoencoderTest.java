package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pictor.api.BadInputException;
import dev.pictor.api.testing.Tolerance;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.nn.Graph;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    static Map<String, INDArray> fixture(String name) {
        try {
            return Safetensors.read(Path.of(KlAutoencoderTest.class.getResource("/fixtures/" + name
                    + ".safetensors").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Entries under {@code prefix}, with it removed. */
    static Map<String, INDArray> under(Map<String, INDArray> all, String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    @Test
    void forwardKlAndGradientsMatchUpstreamInFloat64() {
        Map<String, INDArray> f = fixture("ldm_autoencoder");
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
        g.load(under(f, "param."), true);
        Map<String, INDArray> in = Map.of("image", f.get("input.image").castTo(DataType.DOUBLE), "noise",
                f.get("input.noise").castTo(DataType.DOUBLE), "latent", f.get("input.latent").castTo(DataType.DOUBLE));
        Map<String, INDArray> out = g.output(in, moments, kl, decoded, reconstruction, loss);
        close(out.get(moments.name()), f.get("output.moments"), 0, "moments");
        close(out.get(kl.name()), f.get("output.kl"), 0, "kl");
        close(out.get(decoded.name()), f.get("output.decoded"), 0, "decoded");
        close(out.get(reconstruction.name()), f.get("output.reconstruction"), 0, "reconstruction");
        close(out.get(loss.name()).reshape(1), f.get("output.loss"), 0, "loss");

        Map<String, INDArray> expected = under(f, "grad.param.");
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
        Map<String, INDArray> f = fixture("ldm_autoencoder");
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER).layout(layout);
        KlAutoencoder ae = new KlAutoencoder(SMALL);
        boolean nhwc = layout == Graph.Layout.NHWC;
        SDVariable image = nhwc ? g.input("image", -1, 16, 16, 3) : g.input("image", -1, 3, 16, 16);
        SDVariable latent = nhwc ? g.input("latent", -1, 8, 8, 4) : g.input("latent", -1, 4, 8, 8);
        SDVariable moments = ae.encode(g, image);
        SDVariable decoded = ae.decode(g, latent);
        g.load(under(f, "param."), true);
        Map<String, INDArray> in = Map.of("image", layout(f.get("input.image"), nhwc), "latent",
                layout(f.get("input.latent"), nhwc));
        Map<String, INDArray> out = g.output(in, moments, decoded);
        assertClose32(layout(out.get(moments.name()), nhwc, true), f.get("output.moments"), layout + " moments");
        assertClose32(layout(out.get(decoded.name()), nhwc, true), f.get("output.decoded"), layout + " decoded");
    }

    @Test
    void stableDiffusionV1FirstStageKeysAreTheModelsKeyForKey() throws IOException {
        Map<String, long[]> upstream = listing("keys_sd_v1_autoencoder");
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
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

    private static INDArray layout(INDArray nchw, boolean nhwc) {
        return (nhwc ? nchw.permute(0, 2, 3, 1) : nchw).castTo(DataType.FLOAT).dup('c');
    }

    private static INDArray layout(INDArray out, boolean nhwc, boolean back) {
        return nhwc ? out.permute(0, 3, 1, 2).dup('c') : out;
    }

    static Map<String, long[]> listing(String name) throws IOException {
        try (InputStream in = KlAutoencoderTest.class.getResourceAsStream("/fixtures/" + name + ".json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, long[]> out = new LinkedHashMap<>();
            root.fields().forEachRemaining(e -> {
                long[] shape = new long[e.getValue().size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.getValue().get(i).asLong();
                }
                out.put(e.getKey(), shape);
            });
            return out;
        }
    }

    static void close(INDArray actual, INDArray expected, double scale, String what) {
        Tolerance.assertClose(actual.castTo(DataType.DOUBLE), expected.castTo(DataType.DOUBLE), scale, what);
    }

    static void assertClose32(INDArray actual, INDArray expected, String what) {
        double[] a = actual.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] e = expected.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double norm = 0;
        double worst = 0;
        for (double x : e) {
            norm = Math.max(norm, Math.abs(x));
        }
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        assertThat(worst).as(what + ": worst difference against values up to " + norm)
                .isLessThanOrEqualTo(1e-4 * Math.max(norm, 1));
    }
}
