package dev.pictor.nn;

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
    /** The largest reference gradient of this case: the scale near-zero gradients are held to (Tolerance). */
    private final double gradientScale;

    private final String name;
    private final Map<String, INDArray> tensors;

    private Fixture(String name, Map<String, INDArray> tensors) {
        this.name = name;
        this.tensors = tensors;
        this.gradientScale = dev.pictor.api.testing.Tolerance.scale(tensors.entrySet().stream()
                .filter(e -> e.getKey().startsWith("grad.")).map(Map.Entry::getValue).toList());
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
        assertClose(actual, get("output"), 0, "output of " + name);
        // The direct executor must give the same result as SameDiff's own (twice: the second run reuses arrays).
        GraphExecutor direct = new GraphExecutor(g.sameDiff(), List.of(out.name()));
        assertClose(direct.output(Map.of()).get(out.name()), get("output"), 0, "direct output of " + name);
        assertClose(direct.output(Map.of()).get(out.name()), get("output"), 0, "direct output of " + name);
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
            assertClose(grads.get(p), get("grad.param." + p), gradientScale, "gradient of " + p + " in " + name);
        }
        for (String in : withGrad) {
            assertClose(grads.get("in_" + in), get("grad.input." + in), gradientScale, "gradient of input " + in + " in " + name);
        }
        // The training path runs the same gradient graph through the direct executor: it must agree too.
        Graph.Gradients.Result fast = g.gradientRunner(loss, wrt).compute(Map.of());
        for (String p : g.paramNames()) {
            assertClose(fast.gradients().get(p), get("grad.param." + p), gradientScale, "direct gradient of " + p + " in " + name);
        }
        for (String in : withGrad) {
            assertClose(fast.gradients().get("in_" + in), get("grad.input." + in),
                    "direct gradient of input " + in + " in " + name);
        }
    }

    /** The worst error of each check as a share of its bound (Tolerance), for the parity report. */
    public static final Map<String, Double> WORST = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** As {@link #assertClose(INDArray, INDArray, double, String)}, scaled by the tensor alone. */
    public static void assertClose(INDArray actual, INDArray expected, String what) {
        assertClose(actual, expected, 0, what);
    }

    /** Compares with the project's one parity rule ({@link dev.pictor.api.testing.Tolerance}). */
    public static void assertClose(INDArray actual, INDArray expected, double scale, String what) {
        double ratio = dev.pictor.api.testing.Tolerance.assertClose(actual, expected, scale, what);
        WORST.merge(what.replaceAll("^(output|gradient of (input )?\\S+) (of|in) ", ""), ratio, Math::max);
    }
}
