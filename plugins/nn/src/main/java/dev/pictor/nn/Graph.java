package dev.pictor.nn;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Names;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model as a SameDiff graph with named parameters: layers add their parameters and operations to it, the
 * same graph serves inference ({@link #output}) and training ({@link #gradients}).
 *
 * <p>Parameters carry their upstream names ({@code encoder.layer.0.attention.self.query.weight}) and are stored
 * in the upstream (PyTorch) layout, so a Hugging Face or diffusers checkpoint loads with {@link #load} 1:1.
 * Initial values come from each layer's {@link Init}, seeded by the graph's seed and the parameter's name.
 *
 * <pre>{@code
 * Graph g = new Graph(DataType.FLOAT, 42);
 * SDVariable x = g.input("x", -1, 384);
 * SDVariable y = new Linear(384, 10, true).apply(g, "classifier", x);
 * INDArray out = g.output(Map.of("x", features), y);
 * }</pre>
 */
public final class Graph {
    /** Whether layers build their training or their inference form (they differ only where speed demands). */
    public enum Mode {
        TRAIN, INFER
    }

    /**
     * How image tensors are laid out: PyTorch's {@code [N, C, H, W]}, or {@code [N, H, W, C]}, which oneDNN's
     * convolutions use natively (NCHW costs a reorder of the activations in and out of every convolution).
     * Weights keep PyTorch's layout either way.
     */
    public enum Layout {
        NCHW, NHWC
    }

    private Layout layout = Layout.NCHW;
    private boolean describing;
    private boolean fusedTraining = !"false".equals(System.getProperty("pictor.fusedTraining"));

    private final SameDiff sd = SameDiff.create();
    private final DataType dtype;
    private final long seed;
    private final Mode mode;
    private final Map<String, SDVariable> params = new LinkedHashMap<>();
    /** Non-trainable state (BatchNorm's running statistics): saved and loaded with the parameters, never trained. */
    private final Map<String, SDVariable> buffers = new LinkedHashMap<>();

    /**
     * A graph that only describes a model: parameters get names and shapes ({@link #shapes()}) but no values, so
     * that a billion-parameter model's checkpoint layout can be checked ({@link #checkState}) in milliseconds
     * without allocating it. It cannot run or load.
     */
    public static Graph describing(DataType dtype, Mode mode) {
        Graph g = new Graph(dtype, 0, mode);
        g.describing = true;
        return g;
    }

    /** An inference graph; see {@link #Graph(DataType, long, Mode)}. */
    public Graph(DataType dtype, long seed) {
        this(dtype, seed, Mode.INFER);
    }

    /**
     * A graph whose parameters and activations are {@code dtype} (FLOAT, or DOUBLE for gradient checks), with
     * parameters initialised from {@code seed}.
     */
    public Graph(DataType dtype, long seed, Mode mode) {
        if (!dtype.isFPType()) {
            throw new IllegalArgumentException("a graph computes in a floating-point type, not " + dtype);
        }
        this.dtype = dtype;
        this.seed = seed;
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /** The image layout convolution-family layers build for. */
    public Layout layout() {
        return layout;
    }

    /** Sets the image layout; call before building layers. */
    public Graph layout(Layout l) {
        this.layout = l;
        return this;
    }

    /**
     * Whether a training graph may replace layer stacks by fused oneDNN ops with their own backward (on by
     * default; the system property {@code pictor.fusedTraining=false} turns it off, for comparisons). Float32
     * only: float64 graphs (gradient checks) always use the plain ops.
     */
    public boolean fusedTraining() {
        return fusedTraining && mode == Mode.TRAIN && dtype == DataType.FLOAT;
    }

    /** Allows or forbids fused training ops; call before building layers. */
    public Graph fusedTraining(boolean on) {
        this.fusedTraining = on;
        return this;
    }

    /** The index of the channel dimension of a rank-4 image tensor in this graph's layout. */
    public int channelAxis() {
        return layout == Layout.NCHW ? 1 : 3;
    }

    /** A per-channel vector shaped to broadcast over images in this graph's layout. */
    public SDVariable perChannel(SDVariable v, long channels) {
        return layout == Layout.NCHW ? v.reshape(-1, channels, 1, 1) : v.reshape(-1, 1, 1, channels);
    }

    /** The seed parameters were initialised from. */
    public long seed() {
        return seed;
    }

    /** {@code prefix.name}, or {@code name} when the prefix is empty. */
    public static String join(String prefix, String name) {
        return prefix == null || prefix.isEmpty() ? name : prefix + "." + name;
    }

    /**
     * Reshapes {@code y} to {@code like}'s leading dimensions (all but its last {@code keep}) followed by
     * {@code tail}, at run time, so layers work for any batch and sequence length.
     */
    public SDVariable reshapeLike(SDVariable y, SDVariable like, int keep, long... tail) {
        SDVariable shape = sd.shape(like);
        // A negative end drops the last `keep` dimensions whatever the rank, which is often unknown when building.
        SDVariable lead = keep == 0 ? shape : sd.stridedSlice(shape, new long[] {0}, new long[] {-keep},
                new long[] {1});
        if (tail.length == 0) {
            return sd.reshape(y, lead);
        }
        SDVariable rest = sd.constant(Nd4j.createFromArray(tail));
        return sd.reshape(y, sd.concat(0, lead, rest.castTo(lead.dataType())));
    }

    public SameDiff sameDiff() {
        return sd;
    }

    public DataType dtype() {
        return dtype;
    }

    /**
     * The parameter {@code name}, created with {@code init} on first use. Asking again with the same shape
     * returns the same variable (weight tying); another shape is an error.
     */
    public SDVariable param(String name, Init init, long... shape) {
        return create(params, name, init, shape);
    }

    /**
     * A buffer: state that travels with the parameters ({@link #state}, {@link #load}, checkpoints) but that the
     * optimiser never updates and gradients are never asked of — PyTorch's {@code register_buffer}, e.g.
     * BatchNorm's running statistics.
     */
    public SDVariable buffer(String name, Init init, long... shape) {
        if (params.containsKey(name)) {
            throw new IllegalStateException(name + " is a parameter, not a buffer");
        }
        return create(buffers, name, init, shape);
    }

    private SDVariable create(Map<String, SDVariable> into, String name, Init init, long... shape) {
        if (into == params && buffers.containsKey(name)) {
            throw new IllegalStateException(name + " is a buffer, not a parameter");
        }
        SDVariable existing = into.get(name);
        if (existing != null) {
            if (!Arrays.equals(existing.getShape(), shape)) {
                throw new IllegalStateException("parameter " + name + " exists with shape "
                        + Arrays.toString(existing.getShape()) + ", asked for " + Arrays.toString(shape));
            }
            return existing;
        }
        if (describing) {
            SDVariable v = sd.placeHolder(name, dtype, shape);
            into.put(name, v);
            return v;
        }
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        float[] values = new float[Math.toIntExact(n)];
        init.fill(values, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode()));
        INDArray array = Nd4j.create(values, shape, 'c').castTo(dtype);
        SDVariable v = sd.var(name, array);
        into.put(name, v);
        return v;
    }

    /**
     * Refills an existing parameter or buffer from {@code init} (seeded as at creation): for models whose upstream
     * initialisation differs from their layers' defaults (CLIP scales its projections by depth).
     */
    public void reinitialize(String name, Init init) {
        SDVariable v = params.containsKey(name) ? params.get(name) : buffers.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter or buffer " + name);
        }
        if (describing) {
            return;   // no values to refill
        }
        float[] values = new float[Math.toIntExact(v.getArr().length())];
        init.fill(values, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode()));
        v.setArray(Nd4j.create(values, v.getShape(), 'c').castTo(dtype));
    }

    /** An input fed at run time; -1 marks a dimension that varies (batch, sequence length). */
    public SDVariable input(String name, long... shape) {
        return sd.placeHolder(name, dtype, shape);
    }

    /** An input of another type (INT64 token ids, …). */
    public SDVariable input(String name, DataType type, long... shape) {
        return sd.placeHolder(name, type, shape);
    }

    /** A constant of the graph's type. */
    public SDVariable constant(double value) {
        return sd.constant(Nd4j.scalar(dtype, value));
    }

    /**
     * Freezes every parameter whose name starts with {@code prefix}: it becomes a buffer, kept in the state and in
     * checkpoints but never trained (a pretrained network inside a loss, e.g. a perceptual one). Gradients still flow
     * through it to what it reads. Returns how many were frozen.
     */
    public int freeze(String prefix) {
        return freeze(name -> name.startsWith(prefix));
    }

    /** Freezes every parameter whose name {@code which} accepts ({@link #freeze(String)}). */
    public int freeze(java.util.function.Predicate<String> which) {
        int n = 0;
        for (String name : List.copyOf(params.keySet())) {
            if (which.test(name)) {
                buffers.put(name, params.remove(name));
                n++;
            }
        }
        return n;
    }

    /** The parameters in creation order. */
    public Map<String, SDVariable> params() {
        return Collections.unmodifiableMap(params);
    }

    /** Parameter names in creation order. */
    public List<String> paramNames() {
        return List.copyOf(params.keySet());
    }

    /** Buffer names in creation order (not in {@link #paramNames()}: nothing trains them). */
    public List<String> bufferNames() {
        return List.copyOf(buffers.keySet());
    }

    /**
     * Current parameter values, then buffer values (the graph's own arrays: copy them to keep a snapshot). The
     * optimiser updates only the entries it has gradients for, so buffers are safe in it.
     */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.getArr()));
        buffers.forEach((k, v) -> out.put(k, v.getArr()));
        return out;
    }

    /** {@link #state()} as copies, safe to keep while the graph trains on. */
    public Map<String, INDArray> stateCopy() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        state().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /**
     * Sets parameters and buffers from a state (a checkpoint's tensors). Every one must be present with its shape;
     * with {@code strict}, the state may hold nothing else. Values are cast to the graph's type. Nothing is set
     * unless everything matches ({@link #checkState} names the problem).
     */
    public void load(Map<String, INDArray> state, boolean strict) {
        if (describing) {
            throw new IllegalStateException("this graph only describes a model (Graph.describing) and holds no"
                    + " values: load weights into a graph built with new Graph(…)");
        }
        Map<String, long[]> given = new LinkedHashMap<>();
        state.forEach((k, v) -> given.put(k, v.shape()));
        checkState(shapes(), given, strict);
        Map<String, SDVariable> all = new LinkedHashMap<>(params);
        all.putAll(buffers);
        all.forEach((name, v) -> v.setArray(state.get(name).castTo(dtype).dup('c')));
    }

    /** The shape of every parameter, then every buffer: what a checkpoint of this model holds. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.getShape()));
        buffers.forEach((k, v) -> out.put(k, v.getShape()));
        return out;
    }

    /**
     * Checks a checkpoint's names and shapes against a model's, throwing one line that names the first tensor
     * with a wrong shape, or the first missing and the first unexpected ones (with counts, and the nearest name
     * the checkpoint has).
     */
    public static void checkState(Map<String, long[]> expected, Map<String, long[]> given, boolean strict) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] have = given.get(e.getKey());
            if (have == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(have, e.getValue())) {
                throw new BadInputException("weights for " + e.getKey() + " have shape " + Arrays.toString(have)
                        + " but the model needs " + Arrays.toString(e.getValue()) + ": the checkpoint is for another"
                        + " configuration");
            }
        }
        List<String> unexpected = strict ? given.keySet().stream().filter(k -> !expected.containsKey(k)).toList()
                : List.of();
        if (missing.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        StringBuilder m = new StringBuilder("weights ");
        if (!missing.isEmpty()) {
            String first = missing.get(0);
            m.append("lack ").append(missing.size()).append(" of the model's ").append(expected.size())
                    .append(" tensors, first ").append(first).append(Names.closest(first, given.keySet())
                            .map(s -> " (the checkpoint has " + s + ")").orElse(""));
        }
        if (!unexpected.isEmpty()) {
            m.append(missing.isEmpty() ? "" : ", and ").append("hold ").append(unexpected.size())
                    .append(" the model does not have, first ").append(unexpected.get(0));
        }
        m.append(": the checkpoint is for another model").append(missing.isEmpty() ? " (or load it non-strictly)" : "");
        throw new BadInputException(m.toString());
    }

    /** Runs the graph (inference) and returns one output, a new array owned by the caller. */
    public INDArray output(Map<String, INDArray> inputs, SDVariable out) {
        return output(inputs, new SDVariable[] {out}).get(out.name());
    }

    /**
     * Runs the graph (inference) and returns several outputs by name. Uses a {@link GraphExecutor} planned once per
     * set of outputs (and again if ops were added since), not SameDiff's session, which costs ~100 µs per op.
     */
    public Map<String, INDArray> output(Map<String, INDArray> inputs, SDVariable... outs) {
        return executor(outs).output(inputs);
    }

    /**
     * As {@link #output(Map, SDVariable)}, but returns the executor's own array, valid until the next run of this
     * output: no allocation, for hot loops.
     */
    public INDArray outputShared(Map<String, INDArray> inputs, SDVariable out) {
        return executor(out).outputShared(inputs).get(out.name());
    }

    private GraphExecutor executor(SDVariable... outs) {
        List<String> names = Arrays.stream(outs).map(SDVariable::name).toList();
        int opCount = sd.ops().length;
        Executors cached = executors.get(names);
        if (cached == null || cached.opCount != opCount) {
            cached = new Executors(new GraphExecutor(sd, names), opCount);
            executors.put(names, cached);
        }
        return cached.executor;
    }

    private record Executors(GraphExecutor executor, int opCount) {
    }

    private final Map<List<String>, Executors> executors = new java.util.HashMap<>();

    private record Runner(Gradients gradients, int opCount) {
    }

    /** {@link #gradients}' runners for graphs with fused ops, by loss name then variables. */
    private final Map<List<String>, Runner> runners = new java.util.HashMap<>();

    /**
     * Gradients of the scalar {@code loss} with respect to the named variables (parameters, or inputs made with
     * {@link #variable}).
     */
    public Map<String, INDArray> gradients(Map<String, INDArray> inputs, SDVariable loss, List<String> wrt) {
        if (Arrays.stream(sd.ops()).anyMatch(op -> op instanceof HostOp)) {
            // SameDiff's own session cannot run fused ops: a runner instead, built once per loss and variables (as
            // SameDiff keeps its gradient function), again only if ops were added since
            List<String> key = new ArrayList<>(wrt);
            key.add(0, loss.name());
            int opCount = sd.ops().length;
            Runner cached = runners.get(key);
            if (cached == null || cached.opCount() != opCount) {
                cached = new Runner(gradientRunner(loss, wrt), opCount);
                runners.put(key, cached);
            }
            Map<String, INDArray> out = new LinkedHashMap<>();
            cached.gradients().compute(inputs).gradients().forEach((k, v) -> out.put(k, v.dup()));
            return out;
        }
        sd.setLossVariables(loss);
        // Builds the gradient graph on first use, which ND4J narrates on stdout: QuietGradients keeps it off.
        return QuietGradients.run(() -> sd.calculateGradients(inputs, wrt.toArray(String[]::new)));
    }

    /**
     * A runner of {@code loss}'s gradients with respect to {@code wrt}: SameDiff's gradient function (built here
     * once), executed by a {@link GraphExecutor} — 6× faster than {@code SameDiff.calculateGradients} on a
     * two-layer transformer, with identical results. Its {@link Gradients#compute} returns the loss and the
     * gradients, as arrays owned by the runner until its next call.
     */
    public Gradients gradientRunner(SDVariable loss, List<String> wrt) {
        sd.setLossVariables(loss);
        QuietGradients.run(() -> {
            sd.createGradFunction();   // ND4J prints a line per op on stdout while it builds the graph
            return null;
        });
        SameDiff gradFn = sd.getFunction("grad");
        Map<String, String> gradNames = new LinkedHashMap<>();
        for (String w : wrt) {
            SDVariable grad = sd.getGradForVariable(w);
            if (grad == null) {
                throw new IllegalArgumentException(w + " has no gradient: it does not reach the loss");
            }
            gradNames.put(w, grad.name());
        }
        List<String> outs = new ArrayList<>(gradNames.values());
        outs.add(loss.name());
        return new Gradients(new GraphExecutor(gradFn, sd, outs), gradNames, loss.name());
    }

    /** Loss and gradients of one batch, from {@link #gradientRunner}. */
    public static final class Gradients {
        private final GraphExecutor executor;
        private final Map<String, String> gradNames;
        private final String lossName;

        Gradients(GraphExecutor executor, Map<String, String> gradNames, String lossName) {
            this.executor = executor;
            this.gradNames = gradNames;
            this.lossName = lossName;
        }

        /** Starts (or stops) timing every op of the forward and backward pass ({@link GraphExecutor#profiling}). */
        public Gradients profiling(boolean on) {
            executor.profiling(on);
            return this;
        }

        /** Per op type: total nanoseconds and calls since profiling started, most expensive first. */
        public Map<String, long[]> profile() {
            return executor.profile();
        }

        /** The loss (as a double) and each variable's gradient for these inputs. */
        public Result compute(Map<String, INDArray> inputs) {
            Map<String, INDArray> out = executor.outputShared(inputs);
            Map<String, INDArray> grads = new LinkedHashMap<>();
            gradNames.forEach((v, g) -> grads.put(v, out.get(g)));
            return new Result(out.get(lossName).getDouble(0), grads);
        }

        /** @param loss the batch's loss; @param gradients by variable name */
        public record Result(double loss, Map<String, INDArray> gradients) {
        }
    }

    /** A trainable, non-parameter variable holding {@code value} (an input whose gradient a test wants). */
    public SDVariable variable(String name, INDArray value) {
        return sd.var(name, value.castTo(dtype).dup('c'));
    }
}
