package dev.pictor.nn.fused;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.SpatialTransformer;
import dev.pictor.nn.onednn.OneDnn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused GEGLU feed-forward, through a whole spatial transformer (GroupNorm, 1×1 convolutions, LayerNorms, self- and
 * cross-attention, feed-forward: every fused training op of a UNet block) against the plain graph ops.
 */
class FeedForwardOpTest {

    private static INDArray rand(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static Graph.Gradients.Result run(boolean fused, boolean self, boolean[] usedFused) {
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN).fusedTraining(fused);
        // 2 images of 64 channels, 4 × 5 pixels; 2 heads of 16; depth 2; a context of 7 tokens of 20 (or none)
        SDVariable x = g.variable("x", rand(1, 2, 64, 4, 5));
        SDVariable context = self ? null : g.variable("context", rand(2, 2, 7, 20));
        SDVariable y = new SpatialTransformer(64, 2, 16, 2, 20).apply(g, "st", x, context);
        SDVariable loss = y.mul(g.sameDiff().constant(rand(4, 2, 64, 4, 5))).sum();
        // move the norms off their initial values
        g.paramNames().stream().filter(n -> n.contains("norm")).forEach(n -> g.sameDiff().getArrForVarName(n)
                .addi(rand(n.hashCode(), g.sameDiff().getArrForVarName(n).shape()).muli(0.3)));
        usedFused[0] = Arrays.stream(g.sameDiff().ops()).anyMatch(o -> o instanceof FeedForwardOp);
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.add("x");
        if (!self) {
            wrt.add("context");
        }
        Graph.Gradients.Result r = g.gradientRunner(loss, wrt).compute(Map.of());
        Map<String, INDArray> copies = new java.util.LinkedHashMap<>();
        r.gradients().forEach((k, v) -> copies.put(k, v.dup()));
        return new Graph.Gradients.Result(r.loss(), copies);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsMatchThePlainGraph(boolean self) {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        boolean[] plainFused = new boolean[1];
        boolean[] fusedFused = new boolean[1];
        Graph.Gradients.Result plain = run(false, self, plainFused);
        Graph.Gradients.Result fused = run(true, self, fusedFused);
        assertTrue(fusedFused[0] && !plainFused[0], "one run fused, the other plain");
        assertEquals(plain.loss(), fused.loss(), 1e-4 * Math.abs(plain.loss()));
        assertEquals(plain.gradients().keySet(), fused.gradients().keySet());
        for (String name : plain.gradients().keySet()) {
            INDArray a = plain.gradients().get(name);
            INDArray b = fused.gradients().get(name);
            double diff = a.sub(b).norm2Number().doubleValue();
            assertTrue(diff <= 1e-4 * a.norm2Number().doubleValue(), name + " differs by " + diff);
        }
    }
}
