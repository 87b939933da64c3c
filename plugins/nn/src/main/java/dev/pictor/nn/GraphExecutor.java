package dev.pictor.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.shape.Reshape;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a SameDiff graph for inference without SameDiff's session: the ops the outputs need, in a fixed order
 * planned once, each executed directly with ND4J into output arrays that are kept and reused while their
 * shapes stay the same. SameDiff's own executor spends ~100 µs of bookkeeping per op and allocates every result
 * anew (BENCHMARKS.md); this one costs what the ops cost.
 *
 * <p>Not thread-safe: one executor per thread. Results are copies owned by the caller.
 *
 * <pre>{@code
 * GraphExecutor run = new GraphExecutor(graph.sameDiff(), List.of(y.name()));
 * INDArray out = run.output(Map.of("x", batch)).get(y.name());
 * }</pre>
 */
public final class GraphExecutor {
    private final SameDiff sd;
    private final SameDiff values;
    private final List<String> outputs;
    private final List<DifferentialFunction> plan = new ArrayList<>();
    private final Map<String, INDArray[]> kept = new HashMap<>();
    /** Ops whose outputs depend only on the placeholders' shapes (shape arithmetic): run once per shape set. */
    private final Set<String> shapeOnly = new HashSet<>();
    /** Output shapes per op for the current placeholder shapes: computed once, not on every run. */
    private final Map<String, List<LongShapeDescriptor>> shapes = new HashMap<>();
    private List<List<Long>> signature;
    private TimeProfile profile;

    public GraphExecutor(SameDiff sd, List<String> outputs) {
        this(sd, sd, outputs);
    }

    /**
     * Plans {@code outputs} from {@code sd}'s ops but reads variables (parameters) from {@code values}: for
     * SameDiff's gradient function, whose variables are copies of the model's, while training updates and
     * checkpoints load the model's own.
     */
    public GraphExecutor(SameDiff sd, SameDiff values, List<String> outputs) {
        this.sd = sd;
        this.values = values;
        this.outputs = List.copyOf(outputs);
        Set<String> visited = new HashSet<>();
        for (String o : outputs) {
            visit(o, visited);
        }
        // shape_of reads only its input's shape; ops that read only constants and such values compute shapes too.
        Set<String> staticValues = new HashSet<>();
        for (DifferentialFunction op : plan) {
            boolean fixed = op.opName().equals("shape_of");
            if (!fixed) {
                fixed = true;
                for (String in : op.argNames()) {
                    SDVariable v = sd.getVariable(in);
                    boolean constant = v != null && v.getVariableType() == VariableType.CONSTANT;
                    if (!constant && !staticValues.contains(in)) {
                        fixed = false;
                        break;
                    }
                }
            }
            if (fixed && op.argNames().length > 0) {
                shapeOnly.add(op.getOwnName());
                staticValues.addAll(List.of(op.outputVariablesNames()));
            }
        }
    }

    /** Depth-first: an op is planned after every op whose outputs it reads. */
    private void visit(String variable, Set<String> visited) {
        DifferentialFunction op = sd.getVariableOutputOp(variable);
        if (op == null || !visited.add(op.getOwnName())) {
            return;
        }
        for (String in : op.argNames()) {
            visit(in, visited);
        }
        plan.add(op);
    }

    /**
     * Starts (or, with false, stops) timing every op; {@link #profile()} then sums the time per op type. For
     * finding where a layer's time goes.
     */
    public GraphExecutor profiling(boolean on) {
        profile = on ? new TimeProfile() : null;
        return this;
    }

    /** Per op type: total nanoseconds and calls since profiling started, most expensive first. */
    public Map<String, long[]> profile() {
        return profile == null ? new LinkedHashMap<>() : profile.snapshot();
    }

    /** Number of ops one run executes. */
    public int size() {
        return plan.size();
    }

    /** Runs the plan with the given placeholder values; the results are new arrays owned by the caller. */
    public Map<String, INDArray> output(Map<String, INDArray> placeholders) {
        Map<String, INDArray> shared = outputShared(placeholders);
        shared.replaceAll((k, v) -> v.dup());
        return shared;
    }

    /**
     * Runs the plan and returns the executor's own result arrays, valid until its next run: no copy, for hot
     * loops (a sampler's steps). Fresh large buffers are expensive on this machine — 16 MB takes ~60 ms to
     * allocate and fault in, a third more than oneDNN needs for a 2048³ product — so steady-state runs allocate
     * nothing.
     */
    public Map<String, INDArray> outputShared(Map<String, INDArray> placeholders) {
        List<List<Long>> now = new ArrayList<>();
        placeholders.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<Long> s = new ArrayList<>();
            for (long d : e.getValue().shape()) {
                s.add(d);
            }
            s.add((long) e.getKey().hashCode());
            now.add(s);
        });
        boolean sameShapes = now.equals(signature);
        if (!sameShapes) {
            shapes.clear();
            signature = now;
        }
        Map<String, INDArray> values = new HashMap<>(placeholders);
        for (DifferentialFunction op : plan) {
            if (sameShapes && shapeOnly.contains(op.getOwnName())) {
                INDArray[] previous = kept.get(op.getOwnName());
                if (previous != null) {
                    String[] names = op.outputVariablesNames();
                    for (int i = 0; i < names.length; i++) {
                        values.put(names[i], previous[i]);
                    }
                    continue;
                }
            }
            String[] args = op.argNames();
            INDArray[] in = new INDArray[args.length];
            for (int i = 0; i < args.length; i++) {
                in[i] = values.get(args[i]);
                if (in[i] == null) {
                    in[i] = stored(args[i]);
                    values.put(args[i], in[i]);
                }
            }
            long start = profile == null ? 0 : System.nanoTime();
            INDArray[] out = execute(op, in);
            if (profile != null) {
                profile.add(op.opName(), System.nanoTime() - start);
            }
            String[] names = op.outputVariablesNames();
            for (int i = 0; i < names.length; i++) {
                values.put(names[i], out[i]);
            }
        }
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String o : outputs) {
            result.put(o, values.containsKey(o) ? values.get(o) : stored(o));
        }
        return result;
    }

    private INDArray stored(String name) {
        SDVariable own = values.hasVariable(name) ? values.getVariable(name) : null;
        if (own != null && own.getVariableType() == VariableType.VARIABLE) {
            return own.getArr();
        }
        SDVariable v = sd.getVariable(name);
        if (v == null || v.getVariableType() == VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("no value for " + name + ": feed placeholder '" + name + "'");
        }
        return v.getArr();
    }

    private INDArray[] execute(DifferentialFunction op, INDArray[] in) {
        if (op instanceof HostOp host) {
            return host.compute(in);
        }
        if (op instanceof DynamicCustomOp custom) {
            custom.clearArrays();
            custom.addInputArgument(in);
            List<LongShapeDescriptor> outShapes = shapes.computeIfAbsent(op.getOwnName(),
                    k -> custom.calculateOutputShape());
            if (op instanceof Reshape && isDense(in[0]) && outShapes.size() == 1 && !outShapes.get(0).isEmpty()) {
                // A reshape of a dense C-order array is a view: no copy (a 12 MB copy costs ~0.6 ms).
                INDArray[] view = {in[0].reshape('c', outShapes.get(0).getShape())};
                if (shapeOnly.contains(op.getOwnName())) {
                    // kept only as a cached shape value; never reused as an output buffer (it aliases its input)
                    kept.put(op.getOwnName(), view);
                }
                return view;
            }
            INDArray[] out = outputsFor(op, outShapes);
            custom.addOutputArgument(out);
            Nd4j.exec(custom);
            return out;
        }
        if (op instanceof BaseOp legacy) {
            legacy.setX(in[0]);
            if (in.length > 1) {
                legacy.setY(in[1]);
            }
            INDArray[] out = outputsFor(op, shapes.computeIfAbsent(op.getOwnName(),
                    k -> legacy.calculateOutputShape()));
            legacy.setZ(out[0]);
            Nd4j.getExecutioner().exec((Op) legacy);
            return out;
        }
        throw new UnsupportedOperationException("op " + op.opName() + " (" + op.getClass().getSimpleName()
                + ") is not supported by the direct executor");
    }

    private static boolean isDense(INDArray a) {
        return a != null && !a.isEmpty() && a.ordering() == 'c' && !a.isView()
                && a.data().length() == a.length() && a.data().offset() == 0;
    }

    /** The op's output arrays from the last run if their shapes match, else new ones (then kept). */
    private INDArray[] outputsFor(DifferentialFunction op, List<LongShapeDescriptor> shapes) {
        INDArray[] previous = kept.get(op.getOwnName());
        if (previous != null && previous.length == shapes.size()) {
            boolean same = true;
            for (int i = 0; i < shapes.size() && same; i++) {
                same = previous[i].dataType() == shapes.get(i).dataType()
                        && Arrays.equals(previous[i].shape(), shapes.get(i).getShape());
            }
            if (same) {
                return previous;
            }
        }
        INDArray[] out = new INDArray[shapes.size()];
        for (int i = 0; i < out.length; i++) {
            LongShapeDescriptor d = shapes.get(i);
            out[i] = d.isEmpty() ? Nd4j.empty(d.dataType()) : Nd4j.createUninitialized(d.dataType(), d.getShape(), 'c');
        }
        kept.put(op.getOwnName(), out);
        return out;
    }
}
