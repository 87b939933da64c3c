package dev.pictor.nn.fused;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.GroupNorm;
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

/** The fused GroupNorm (with and without its SiLU) against the plain graph ops: loss and every gradient. */
class GroupNormOpTest {

    private static INDArray rand(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static Graph.Gradients.Result run(boolean fused, boolean silu, boolean[] usedFused) {
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN).fusedTraining(fused);
        // 3 images, 64 channels in 32 groups of 2, 5 × 6 pixels; an offset mean, as real activations have
        SDVariable x = g.variable("x", rand(1, 3, 64, 5, 6).muli(3).addi(2));
        GroupNorm norm = new GroupNorm(32, 64, 1e-5);
        SDVariable y = silu ? norm.applySilu(g, "gn", x) : norm.apply(g, "gn", x);
        g.sameDiff().getArrForVarName("gn.weight").addi(rand(2, 64).muli(0.5));
        g.sameDiff().getArrForVarName("gn.bias").addi(rand(3, 64).muli(0.5));
        SDVariable loss = y.mul(g.sameDiff().constant(rand(4, 3, 64, 5, 6))).sum();
        usedFused[0] = Arrays.stream(g.sameDiff().ops()).anyMatch(o -> o instanceof GroupNormOp);
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.add("x");
        Graph.Gradients.Result r = g.gradientRunner(loss, wrt).compute(Map.of());
        Map<String, INDArray> copies = new java.util.LinkedHashMap<>();
        r.gradients().forEach((k, v) -> copies.put(k, v.dup()));
        return new Graph.Gradients.Result(r.loss(), copies);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gradientsMatchThePlainGraph(boolean silu) {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        boolean[] plainFused = new boolean[1];
        boolean[] fusedFused = new boolean[1];
        Graph.Gradients.Result plain = run(false, silu, plainFused);
        Graph.Gradients.Result fused = run(true, silu, fusedFused);
        assertTrue(fusedFused[0] && !plainFused[0], "one run fused, the other plain");
        assertEquals(plain.loss(), fused.loss(), 1e-4 * Math.abs(plain.loss()));
        for (String name : List.of("x", "gn.weight", "gn.bias")) {
            INDArray a = plain.gradients().get(name);
            INDArray b = fused.gradients().get(name);
            double diff = a.sub(b).norm2Number().doubleValue();
            assertTrue(diff <= 1e-4 * a.norm2Number().doubleValue(), name + " differs by " + diff);
        }
    }
}
