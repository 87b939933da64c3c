package dev.pictor.nn.fused;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.onednn.OneDnn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The check every fused training op passes: a case built twice, once with the fused op and once from plain graph
 * ops, must give the same loss and the same gradient for every parameter and input (to float32 rounding, 1e-4 of
 * each gradient's norm).
 */
final class FusedAgainstPlain {
    private FusedAgainstPlain() {
    }

    /** Uniform values in [−1, 1) from a seed (the same on every machine). */
    static INDArray rand(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, shape, 'c');
    }

    /**
     * @param build  builds the case into a float32 training graph and returns its scalar loss
     * @param inputs graph variables (not parameters) whose gradients are compared too
     * @param op     the fused op the fused build must contain (and the plain one must not)
     */
    static void assertSameGradients(Function<Graph, SDVariable> build, List<String> inputs, Class<?> op) {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        boolean[] plainFused = new boolean[1];
        boolean[] fusedFused = new boolean[1];
        Graph.Gradients.Result plain = run(false, build, inputs, op, plainFused);
        Graph.Gradients.Result fused = run(true, build, inputs, op, fusedFused);
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

    private static Graph.Gradients.Result run(boolean fused, Function<Graph, SDVariable> build, List<String> inputs,
            Class<?> op, boolean[] usedFused) {
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN).fusedTraining(fused);
        SDVariable loss = build.apply(g);
        usedFused[0] = Arrays.stream(g.sameDiff().ops()).anyMatch(op::isInstance);
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.addAll(inputs);
        Graph.Gradients.Result r = g.gradientRunner(loss, wrt).compute(Map.of());
        Map<String, INDArray> copies = new LinkedHashMap<>();
        r.gradients().forEach((k, v) -> copies.put(k, v.dup()));
        return new Graph.Gradients.Result(r.loss(), copies);
    }
}
