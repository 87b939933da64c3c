package dev.pictor.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.weights.Safetensors;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One PyTorch reference case (made by src/test/python/make_fixtures.py): parameters, inputs, output, loss weights
 * and gradients. {@link #check} builds the layer in a fresh graph, loads the parameters, and compares the output
 * and every gradient.
 */
public final class Fixture {
    /** The bound: float32 results within 1e-5 of the reference, relative to its largest magnitude. */
    public static final double TOLERANCE = 1e-5;

    private final String name;
    private final Map<String, INDArray> tensors;

    private Fixture(String name, Map<String, INDArray> tensors) {
        this.name = name;
        this.tensors = tensors;
    }

    public static Fixture load(String name) {
        try {
            Path p = Path.of(Fixture.class.getResource("/fixtures/" + name + ".safetensors").toURI());
            return new Fixture(name, Safetensors.read(p));
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture " + name + " missing: run make_fixtures.py", e);
        }
    }

    public INDArray get(String key) {
        INDArray t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException(name + " has no " + key + "; has " + tensors.keySet());
        }
        return t;
    }

    /** Parameters under their upstream names. */
    public Map<String, INDArray> params() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith("param.")) {
                out.put(k.substring(6), v);
            }
        });
        return out;
    }

    /** Names of float inputs (those with gradients). */
    public List<String> gradInputs() {
        List<String> out = new ArrayList<>();
        tensors.keySet().forEach(k -> {
            if (k.startsWith("grad.input.")) {
                out.add(k.substring(11));
            }
        });
        return out;
    }

    /**
     * Builds the layer with {@code build(graph, inputs)} where float inputs that have reference gradients are
     * variables and the others constants, then checks output and gradients.
     */
    public void check(BiFunction<Graph, Map<String, SDVariable>, SDVariable> build) {
        check(DataType.FLOAT, Graph.Mode.TRAIN, build);
    }

    public void check(DataType dtype, Graph.Mode mode, BiFunction<Graph, Map<String, SDVariable>, SDVariable> build) {
        check(dtype, mode, true, build);
    }

    /** Checks the forward output only (an inference-mode graph is never differentiated). */
    public void checkForward(Graph.Mode mode, BiFunction<Graph, Map<String, SDVariable>, SDVariable> build) {
        check(DataType.FLOAT, mode, false, build);
    }

    private void check(DataType dtype, Graph.Mode mode, boolean gradients,
            BiFunction<Graph, Map<String, SDVariable>, SDVariable> build) {
        Graph g = new Graph(dtype, 0, mode);
        Map<String, SDVariable> inputs = new LinkedHashMap<>();
        List<String> withGrad = gradInputs();
        tensors.forEach((k, v) -> {
            if (k.startsWith("input.")) {
                String in = k.substring(6);
                inputs.put(in, withGrad.contains(in) ? g.variable("in_" + in, v)
                        : g.sameDiff().constant("in_" + in, v.dataType().isFPType() ? v.castTo(dtype) : v));
            }
        });
        SDVariable out = build.apply(g, inputs);
        g.load(params(), true);
        INDArray actual = g.output(Map.of(), out);
        assertClose(actual, get("output"), "output of " + name);
        // The direct executor must give the same result as SameDiff's own (twice: the second run reuses arrays).
        GraphExecutor direct = new GraphExecutor(g.sameDiff(), List.of(out.name()));
        assertClose(direct.output(Map.of()).get(out.name()), get("output"), "direct output of " + name);
        assertClose(direct.output(Map.of()).get(out.name()), get("output"), "direct output of " + name);
        if (!gradients) {
            return;
        }

        SDVariable loss = g.sameDiff().sum(out.mul(g.sameDiff().constant(get("loss_weight").castTo(dtype))));
        List<String> wrt = new ArrayList<>(g.paramNames());
        withGrad.forEach(in -> wrt.add("in_" + in));
        if (wrt.isEmpty()) {
            return;
        }
        Map<String, INDArray> grads = g.gradients(Map.of(), loss, wrt);
        for (String p : g.paramNames()) {
            assertClose(grads.get(p), get("grad.param." + p), "gradient of " + p + " in " + name);
        }
        for (String in : withGrad) {
            assertClose(grads.get("in_" + in), get("grad.input." + in), "gradient of input " + in + " in " + name);
        }
        // The training path runs the same gradient graph through the direct executor: it must agree too.
        Graph.Gradients.Result fast = g.gradientRunner(loss, wrt).compute(Map.of());
        for (String p : g.paramNames()) {
            assertClose(fast.gradients().get(p), get("grad.param." + p), "direct gradient of " + p + " in " + name);
        }
        for (String in : withGrad) {
            assertClose(fast.gradients().get("in_" + in), get("grad.input." + in),
                    "direct gradient of input " + in + " in " + name);
        }
    }

    /**
     * Largest absolute difference over the reference's largest magnitude, floored at 0.01 so that a gradient that
     * is exactly zero in theory (an attention key's bias) is compared with an absolute bound of 1e-7.
     */
    public static double relativeError(INDArray actual, INDArray expected) {
        INDArray a = actual.castTo(DataType.DOUBLE);
        INDArray e = expected.castTo(DataType.DOUBLE);
        double scale = Math.max(Transforms.abs(e).maxNumber().doubleValue(), 1e-2);
        return Transforms.abs(a.sub(e)).maxNumber().doubleValue() / scale;
    }

    /** The worst relative error seen per check, for the parity report. */
    public static final Map<String, Double> WORST = new java.util.concurrent.ConcurrentSkipListMap<>();

    public static void assertClose(INDArray actual, INDArray expected, String what) {
        assertThat(actual).as(what + " missing").isNotNull();
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        double error = relativeError(actual, expected);
        WORST.merge(what.replaceAll("^(output|gradient of (input )?\\S+) (of|in) ", ""), error, Math::max);
        assertThat(error).as(what + " relative error").isLessThanOrEqualTo(TOLERANCE);
    }
}
