package dev.pictor.nn.fused;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Conv2d;
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

/** The fused Conv2d (3×3 same, 3×3 stride 2, 1×1; with and without bias) against the plain graph ops: loss and every gradient. */
class Conv2dOpTest {

    private static INDArray rand(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static final Conv2d[] CASES = {Conv2d.same(20, 24, 3), new Conv2d(20, 24, 3, 2, 1, true),
        new Conv2d(20, 36, 1, 1, 0, true), new Conv2d(20, 24, 3, 1, 1, false), Conv2d.same(4, 32, 3)};

    private static Graph.Gradients.Result run(boolean fused, Conv2d conv, boolean[] usedFused) {
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN).fusedTraining(fused);
        SDVariable x = g.variable("x", rand(1, 3, conv.in(), 8, 6));
        SDVariable y = conv.apply(g, "conv", x);
        long oh = (8 + 2 * conv.padding() - conv.kernel()) / conv.stride() + 1;
        long ow = (6 + 2 * conv.padding() - conv.kernel()) / conv.stride() + 1;
        SDVariable loss = y.mul(g.sameDiff().constant(rand(4, 3, conv.out(), oh, ow))).sum();
        usedFused[0] = Arrays.stream(g.sameDiff().ops()).anyMatch(o -> o instanceof Conv2dOp);
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.add("x");
        Graph.Gradients.Result r = g.gradientRunner(loss, wrt).compute(Map.of());
        Map<String, INDArray> copies = new java.util.LinkedHashMap<>();
        r.gradients().forEach((k, v) -> copies.put(k, v.dup()));
        return new Graph.Gradients.Result(r.loss(), copies);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void gradientsMatchThePlainGraph(int which) {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        boolean[] plainFused = new boolean[1];
        boolean[] fusedFused = new boolean[1];
        Graph.Gradients.Result plain = run(false, CASES[which], plainFused);
        Graph.Gradients.Result fused = run(true, CASES[which], fusedFused);
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
