package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.api.testing.Tolerance;
import dev.pictor.nn.Graph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The UNet on fused oneDNN kernels against upstream's output and against the graph at other shapes. */
class UNetInferenceTest {
    @Test
    void matchesUpstreamOnTheFixture() {
        Map<String, INDArray> f = Fixtures.tensors(UNetTest.class, "ldm_unet");
        try (UNetInference unet = new UNetInference(UNetTest.SMALL, Fixtures.under(f, "param."))) {
            INDArray eps = unet.predict(f.get("input.x"), f.get("input.timesteps"), f.get("input.context"));
            Tolerance.assertClose32(eps, f.get("output.eps"), "eps");
            // a second call on the kept kernels: the same bytes
            INDArray again = unet.predict(f.get("input.x"), f.get("input.timesteps"), f.get("input.context"));
            assertThat(again).isEqualTo(eps);
        }
    }

    /**
     * Shapes the fixture lacks (batch 3, a 16 × 8 latent, 7 context tokens, two transformer blocks per spatial
     * transformer, three levels, heads by width) against the float32 graph with the same random weights.
     */
    @Test
    void matchesTheGraphAtOtherShapes() {
        UNetConfig config = new UNetConfig(4, 3, 32, 2, List.of(1, 4), List.of(1, 2, 2), -1, 16, 2, 24);
        Graph g = new Graph(DataType.FLOAT, 7, Graph.Mode.INFER);
        SDVariable eps = new UNet(config).apply(g, g.input("x", -1, 4, 16, 8), g.input("t", -1),
                g.input("context", -1, 7, 24));
        Map<String, INDArray> weights = new HashMap<>(g.state());
        // random non-trivial norms (the graph initialises gains to 1 and biases to 0)
        Nd4j.getRandom().setSeed(11);
        weights.replaceAll((name, w) -> name.contains("norm") || name.contains("layers.0.")
                || name.startsWith("out.0") ? w.add(Nd4j.rand(DataType.FLOAT, w.shape()).subi(0.5)) : w);
        g.load(weights, true);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 4, 16, 8);
        INDArray t = Nd4j.createFromArray(999f, 0f, 421.5f);
        INDArray context = Nd4j.randn(DataType.FLOAT, 3, 7, 24);
        INDArray expected = g.output(Map.of("x", x, "t", t, "context", context), eps);
        try (UNetInference unet = new UNetInference(config, weights)) {
            Tolerance.assertClose32(unet.predict(x, t, context), expected, "eps");
            assertThat(unet.steps()).isGreaterThan(50);
        }
    }

    /**
     * Scale-shift norms and a vector condition ({@code label_emb}, the text's pooled vector) against the float32 graph
     * with the same random weights; the fused UNet refuses a call without the vector.
     */
    @Test
    void matchesTheGraphWithScaleShiftNormsAndAVectorCondition() {
        UNetConfig config = new UNetConfig(4, 4, 32, 1, List.of(1, 2), List.of(1, 2), -1, 16, 1, 24, true, 12);
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.INFER);
        SDVariable eps = new UNet(config).apply(g, g.input("x", -1, 4, 8, 8), g.input("t", -1),
                g.input("context", -1, 5, 24), g.input("y", -1, 12));
        Map<String, INDArray> weights = new HashMap<>(g.state());
        assertThat(weights).containsKeys("label_emb.0.0.weight", "label_emb.0.2.bias");
        assertThat(weights.get("input_blocks.1.0.emb_layers.1.weight").shape()).containsExactly(64, 128);
        Nd4j.getRandom().setSeed(12);
        // random non-trivial norms and embedding projections: the scales and shifts must matter
        weights.replaceAll((name, w) -> name.contains("norm") || name.contains("layers.") || name.startsWith("out.0")
                ? w.add(Nd4j.rand(DataType.FLOAT, w.shape()).subi(0.5)) : w);
        g.load(weights, true);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 4, 8, 8);
        INDArray t = Nd4j.createFromArray(999f, 17f);
        INDArray context = Nd4j.randn(DataType.FLOAT, 2, 5, 24);
        INDArray y = Nd4j.randn(DataType.FLOAT, 2, 12);
        INDArray expected = g.output(Map.of("x", x, "t", t, "context", context, "y", y), eps);
        INDArray otherVector = g.output(Map.of("x", x, "t", t, "context", context, "y", y.neg()), eps);
        assertThat(otherVector.sub(expected).norm2Number().doubleValue())
                .isGreaterThan(1e-3 * expected.norm2Number().doubleValue());
        try (UNetInference unet = new UNetInference(config, weights)) {
            Tolerance.assertClose32(unet.predict(x, t, context, y), expected, "eps");
            assertThatThrownBy(() -> unet.predict(x, t, context)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("vector condition [2, 12]");
        }
    }

    @Test
    void refusesWeightsForAnotherConfigAndBadInputsWithOneLine() {
        Map<String, INDArray> f = Fixtures.tensors(UNetTest.class, "ldm_unet");
        Map<String, INDArray> weights = Fixtures.under(f, "param.");
        Map<String, INDArray> missing = new HashMap<>(weights);
        missing.remove("middle_block.1.proj_out.bias");
        assertThatThrownBy(() -> new UNetInference(UNetTest.SMALL, missing)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("lack middle_block.1.proj_out.bias");
        Map<String, INDArray> extra = new HashMap<>(weights);
        extra.put("middle_block.9.weight", Nd4j.ones(2));
        assertThatThrownBy(() -> new UNetInference(UNetTest.SMALL, extra)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("hold middle_block.9.weight");
        try (UNetInference unet = new UNetInference(UNetTest.SMALL, weights)) {
            INDArray t = Nd4j.createFromArray(1f);
            assertThatThrownBy(() -> unet.predict(Nd4j.zeros(1, 4, 7, 7), t, Nd4j.zeros(1, 5, 24)))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("multiples of 2");
            assertThatThrownBy(() -> unet.predict(Nd4j.zeros(1, 4, 8, 8), t, Nd4j.zeros(1, 5, 16)))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("context [1, tokens, 24]");
            assertThatThrownBy(() -> unet.predict(Nd4j.zeros(1, 4, 8, 8), t, null))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("got none");
        }
    }
}
