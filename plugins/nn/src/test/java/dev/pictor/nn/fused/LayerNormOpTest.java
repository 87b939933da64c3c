package dev.pictor.nn.fused;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.LayerNorm;
import dev.pictor.nn.onednn.OneDnn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The fused LayerNorm against the plain graph ops: output, loss and the gradients of x, gain and bias. */
class LayerNormOpTest {

    private static INDArray rand(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static Graph.Gradients.Result run(boolean fused, boolean[] usedFused) {
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN).fusedTraining(fused);
        SDVariable x = g.variable("x", rand(1, 4, 7, 24).muli(3).addi(0.5));
        SDVariable y = new LayerNorm(24, 1e-5).apply(g, "ln", x);
        g.sameDiff().getArrForVarName("ln.weight").addi(rand(2, 24).muli(0.3));
        g.sameDiff().getArrForVarName("ln.bias").addi(rand(3, 24).muli(0.3));
        SDVariable loss = y.mul(g.sameDiff().constant(rand(4, 4, 7, 24))).sum();
        usedFused[0] = Arrays.stream(g.sameDiff().ops()).anyMatch(o -> o instanceof LayerNormOp);
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.add("x");
        Graph.Gradients.Result r = g.gradientRunner(loss, wrt).compute(Map.of());
        Map<String, INDArray> copies = new java.util.LinkedHashMap<>();
        r.gradients().forEach((k, v) -> copies.put(k, v.dup()));
        return new Graph.Gradients.Result(r.loss(), copies);
    }

    @Test
    void gradientsMatchThePlainGraph() {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        boolean[] plainFused = new boolean[1];
        boolean[] fusedFused = new boolean[1];
        Graph.Gradients.Result plain = run(false, plainFused);
        Graph.Gradients.Result fused = run(true, fusedFused);
        assertTrue(fusedFused[0] && !plainFused[0], "one run fused, the other plain");
        assertEquals(plain.loss(), fused.loss(), 1e-4 * Math.abs(plain.loss()));
        for (String name : List.of("x", "ln.weight", "ln.bias")) {
            INDArray a = plain.gradients().get(name);
            INDArray b = fused.gradients().get(name);
            double diff = a.sub(b).norm2Number().doubleValue();
            assertTrue(diff <= 1e-4 * a.norm2Number().doubleValue(), name + " differs by " + diff);
        }
    }

    /** SameDiff's own session cannot run a fused op: it says so instead of letting libnd4j abort the JVM. */
    @Test
    void sameDiffsOwnSessionRefusesFusedOpsWithAMessage() {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN);
        SDVariable y = new LayerNorm(24, 1e-5).apply(g, "ln", g.variable("x", rand(1, 3, 24)));
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> g.sameDiff().output(Map.of(), y.name()));
        while (t.getCause() != null && !(t instanceof IllegalStateException)) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("only Pictor's GraphExecutor runs"), t.toString());
        // and Pictor's own executor runs it
        assertEquals(3 * 24, g.output(Map.of(), y).length());
    }
}
