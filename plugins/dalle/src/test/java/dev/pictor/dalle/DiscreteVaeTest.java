package dev.pictor.dalle;

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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The dVAE against OpenAI's own modules (fixtures from {@code src/test/python/make_dvae_fixtures.py}): encoder,
 * Gumbel-softmax relaxation, decoder, KL to the uniform prior and every gradient in float64; the inference graphs in
 * float32 in both layouts; the published dVAE's keys.
 */
class DiscreteVaeTest {
    /** The fixture's config: upstream's four groups, small. */
    static final DvaeConfig SMALL = new DvaeConfig(4, 16, 1, 3, 64, 8, 16);
    private static final int K = 64;

    @Test
    void encoderRelaxationDecoderKlAndGradientsMatchUpstreamInFloat64() {
        Map<String, INDArray> f = Fixtures.tensors(DiscreteVaeTest.class, "dvae");
        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN);
        DiscreteVae dvae = new DiscreteVae(SMALL);
        var sd = g.sameDiff();
        SDVariable image = g.input("image", -1, 3, 16, 16);
        SDVariable gumbel = g.input("gumbel", -1, K, 2, 2);
        SDVariable tau = sd.constant(f.get("input.tau").castTo(DataType.DOUBLE).reshape(new long[0]));
        SDVariable logits = dvae.encode(g, "encoder", DiscreteVae.mapPixels(image));
        SDVariable relaxed = GumbelSoftmax.relax(g, logits, gumbel, tau);
        SDVariable decoded = dvae.decode(g, "decoder", relaxed);
        SDVariable kl = GumbelSoftmax.klToUniform(g, logits, K);
        SDVariable loss = sd.sum(decoded.mul(sd.constant(f.get("loss_weight.decoded").castTo(DataType.DOUBLE))))
                .add(sd.sum(kl));
        g.load(Fixtures.under(f, "param."), true);
        Map<String, INDArray> in = Map.of("image", f.get("input.image").castTo(DataType.DOUBLE), "gumbel",
                f.get("input.gumbel").castTo(DataType.DOUBLE));
        Map<String, INDArray> out = g.output(in, logits, relaxed, decoded, kl, loss);
        Tolerance.assertClose(out.get(logits.name()), f.get("output.logits"), 0, "logits");
        Tolerance.assertClose(out.get(relaxed.name()), f.get("output.relaxed"), 0, "relaxed");
        Tolerance.assertClose(out.get(decoded.name()), f.get("output.decoded"), 0, "decoded");
        Tolerance.assertClose(out.get(kl.name()), f.get("output.kl"), 0, "kl");
        Tolerance.assertClose(out.get(loss.name()).reshape(1), f.get("output.loss"), 0, "loss");

        Map<String, INDArray> expected = Fixtures.under(f, "grad.param.");
        assertThat(new TreeSet<>(g.paramNames())).isEqualTo(new TreeSet<>(expected.keySet()));
        double scale = Tolerance.scale(expected.values());
        var runner = g.gradientRunner(loss, g.paramNames());
        Map<String, INDArray> grads = runner.compute(in).gradients();
        for (String p : g.paramNames()) {
            Tolerance.assertClose(grads.get(p), expected.get(p), scale, "gradient of " + p);
        }
    }

    @Test
    void klStaysFiniteWhenOneCodeLeadsByFar() {
        // a confident encoder: one logit 200 above the rest (ND4J's own log_softmax gives −∞ there, and NaN after)
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.TRAIN);
        SDVariable scale = g.sameDiff().var("scale", Nd4j.ones(DataType.FLOAT, 1));
        SDVariable logits = g.input("logits", -1, K, 2, 2).mul(scale);
        SDVariable kl = GumbelSoftmax.klToUniform(g, logits, K);
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, K, 2, 2);
        x.putScalar(new long[] {0, 3, 1, 1}, 200f);
        double value = g.output(Map.of("logits", x), kl).getDouble(0);
        // three uniform cells (KL 0) and one one-hot cell (KL log K)
        assertThat(value).isCloseTo(Math.log(K), org.assertj.core.data.Offset.offset(1e-4));
        var grads = g.gradientRunner(g.sameDiff().sum(kl), java.util.List.of("scale")).compute(Map.of("logits", x));
        assertThat(grads.gradients().get("scale").getDouble(0)).isFinite();
    }

    @Test
    void straightThroughSendsOneHotCodesForwardAndTheRelaxationsGradientBack() {
        Nd4j.getRandom().setSeed(3);
        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN);
        var sd = g.sameDiff();
        SDVariable logits = sd.var("logits", Nd4j.rand(DataType.DOUBLE, 2, K, 2, 2).muli(3));
        SDVariable gumbel = sd.constant(Nd4j.rand(DataType.DOUBLE, 2, K, 2, 2));
        SDVariable tau = sd.constant(Nd4j.scalar(0.5));
        SDVariable weights = sd.constant(Nd4j.rand(DataType.DOUBLE, 2, K, 2, 2));
        SDVariable hard = GumbelSoftmax.relaxHard(g, logits, gumbel, tau, K);
        SDVariable soft = GumbelSoftmax.relax(g, logits, gumbel, tau);
        INDArray forward = g.output(Map.of(), hard);
        INDArray relaxed = g.output(Map.of(), soft);
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 2, K, 2, 2);
        INDArray argmax = relaxed.argMax(1);
        for (int n = 0; n < 2; n++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    expected.putScalar(new long[] {n, argmax.getLong(n, y, x), y, x}, 1.0);
                }
            }
        }
        Tolerance.assertClose(forward, expected, 0, "one-hot forward");
        INDArray viaHard = g.gradientRunner(sd.sum(hard.mul(weights)), List.of("logits")).compute(Map.of())
                .gradients().get("logits");
        INDArray viaSoft = g.gradientRunner(sd.sum(soft.mul(weights)), List.of("logits")).compute(Map.of())
                .gradients().get("logits");
        Tolerance.assertClose(viaHard, viaSoft, 0, "straight-through gradient");
    }

    @Test
    void decodingACodeOutsideTheCodebookIsOneLineNamingIt() {
        Map<String, INDArray> f = Fixtures.tensors(DiscreteVaeTest.class, "dvae");
        DvaeQuantizer q = new DvaeQuantizer(SMALL, Fixtures.under(f, "param."));
        assertThat(q.decode(Nd4j.zeros(DataType.INT64, 1, 2, 2)).shape()).containsExactly(1, 3, 16, 16);
        for (long bad : new long[] {K, -1}) {
            INDArray codes = Nd4j.zeros(DataType.INT64, 1, 2, 2);
            codes.putScalar(new long[] {0, 1, 0}, bad);
            assertThatThrownBy(() -> q.decode(codes)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("code " + bad + " at position 2 is outside the codebook [0, " + K + ")");
        }
    }

    @ParameterizedTest
    @EnumSource(Graph.Layout.class)
    void inferenceGraphsInFloat32MatchUpstream(Graph.Layout layout) {
        Map<String, INDArray> f = Fixtures.tensors(DiscreteVaeTest.class, "dvae");
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER).layout(layout);
        DiscreteVae dvae = new DiscreteVae(SMALL);
        boolean nhwc = layout == Graph.Layout.NHWC;
        SDVariable image = nhwc ? g.input("image", -1, 16, 16, 3) : g.input("image", -1, 3, 16, 16);
        SDVariable codes = nhwc ? g.input("codes", -1, 2, 2, K) : g.input("codes", -1, K, 2, 2);
        SDVariable logits = dvae.encode(g, "encoder", DiscreteVae.mapPixels(image));
        SDVariable decoded = dvae.decode(g, "decoder", codes);
        g.load(Fixtures.under(f, "param."), true);
        INDArray ids = f.get("input.codes");
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, ids.size(0), K, ids.size(1), ids.size(2));
        for (int n = 0; n < ids.size(0); n++) {
            for (int y = 0; y < ids.size(1); y++) {
                for (int x = 0; x < ids.size(2); x++) {
                    oneHot.putScalar(new long[] {n, ids.getLong(n, y, x), y, x}, 1);
                }
            }
        }
        Map<String, INDArray> out = g.output(Map.of("image", Fixtures.toLayout(f.get("input.image"), nhwc), "codes",
                Fixtures.toLayout(oneHot, nhwc)), logits, decoded);
        Tolerance.assertClose32(Fixtures.toNchw(out.get(logits.name()), nhwc), f.get("output.logits"), layout + " logits");
        Tolerance.assertClose32(Fixtures.toNchw(out.get(decoded.name()), nhwc), f.get("output.decoded_codes"),
                layout + " decoded from codes");
    }

    @Test
    void thePublishedDvaesKeysAreTheModelsKeyForKey() {
        for (String half : new String[] {"encoder", "decoder"}) {
            Map<String, long[]> upstream = Fixtures.shapes(DiscreteVaeTest.class, "keys_dalle_" + half);
            Graph g = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
            DiscreteVae dvae = new DiscreteVae(DvaeConfig.DALL_E);
            if (half.equals("encoder")) {
                dvae.encode(g, null, g.input("image", -1, 3, 256, 256));
            } else {
                dvae.decode(g, null, g.input("codes", -1, 8192, 32, 32));
            }
            Graph.checkState(g.shapes(), upstream, true);   // names the first missing or unexpected key
            assertThat(g.shapes().keySet()).as(half).containsExactlyInAnyOrderElementsOf(upstream.keySet());
        }
    }

    @Test
    void configRoundTripsThroughJsonAndRefusesWhatUpstreamCannotBuild() {
        assertThat(DvaeConfig.parse(SMALL.toJson(), "test")).isEqualTo(SMALL);
        assertThat(DvaeConfig.DALL_E.codeSize()).isEqualTo(32);
        assertThat(new DvaeConfig(3, 64, 1, 3, 512, 64, 32).codeSize()).isEqualTo(8);
        assertThatThrownBy(() -> new DvaeConfig(4, 66, 1, 3, 512, 32, 16)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> new DvaeConfig(4, 64, 1, 3, 512, 32, 20)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("does not halve 3 times");
    }
}
