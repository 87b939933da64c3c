package dev.pictor.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks SameDiff's gradients against central finite differences in float64: for a sample of elements of every
 * parameter and input, (L(θ+ε) − L(θ−ε)) / 2ε must match the analytic gradient, where L = sum(output · R).
 */
public final class GradientCheck {
    private static final double EPS = 1e-6;
    private static final double TOLERANCE = 1e-5;

    private GradientCheck() {
    }

    /**
     * @param inputs  float inputs by name (random values are drawn for them); their gradients are checked too
     * @param build   makes the layer's output from the graph and the input variables
     * @param samples elements checked per tensor
     */
    public static void check(Map<String, long[]> inputs, Function<Map<String, SDVariable>, Function<Graph,
            SDVariable>> build, int samples, long seed) {
        Random random = new Random(seed);
        Graph g = new Graph(DataType.DOUBLE, seed, Graph.Mode.TRAIN);
        Map<String, SDVariable> vars = new java.util.LinkedHashMap<>();
        inputs.forEach((name, shape) -> vars.put(name, g.variable(name, Nd4j.randn(DataType.DOUBLE, shape))));
        SDVariable out = build.apply(vars).apply(g);
        // Parameters start from random values (not their init), so norms' gains and biases matter.
        g.params().values().forEach(p -> p.setArray(Nd4j.randn(DataType.DOUBLE, p.getShape()).muli(0.5)));
        INDArray probe = g.output(Map.of(), out);
        SDVariable r = g.sameDiff().constant(Nd4j.randn(DataType.DOUBLE, probe.shape()));
        SDVariable loss = g.sameDiff().sum(out.mul(r));
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.addAll(inputs.keySet());
        Map<String, INDArray> analytic = g.gradients(Map.of(), loss, wrt);
        for (String name : wrt) {
            INDArray value = g.sameDiff().getVariable(name).getArr();
            INDArray grad = analytic.get(name);
            assertThat(grad).as("gradient of " + name).isNotNull();
            long n = value.length();
            for (int s = 0; s < Math.min(samples, n); s++) {
                long i = samples >= n ? s : (long) (random.nextDouble() * n);
                double original = value.getDouble(i);
                value.putScalar(i, original + EPS);
                double plus = g.output(Map.of(), loss).getDouble(0);
                value.putScalar(i, original - EPS);
                double minus = g.output(Map.of(), loss).getDouble(0);
                value.putScalar(i, original);
                double numeric = (plus - minus) / (2 * EPS);
                double a = grad.getDouble(i);
                double error = Math.abs(a - numeric) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(numeric)));
                assertThat(error).as("d loss / d %s[%d]: analytic %.9g, numeric %.9g", name, i, a, numeric)
                        .isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }
}
