package dev.pictor.nn.fused;

import dev.pictor.nn.HostOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A graph op computed by Java-side kernels {@code K} ({@link HostOp}), and what SameDiff needs of it: a name in its
 * op tables ({@link FusedOps}), and its settings as properties, from which a copy SameDiff makes rebuilds its kernels.
 * {@link Forward} ops have one output shaped as their first argument and one {@link Gradient} op sharing their
 * kernels (which keep what the backward needs); a gradient op's outputs are the gradients of every forward argument.
 *
 * @param <K> the kernels: settings, buffers and oneDNN primitives, shared by an op and its gradient
 */
abstract class FusedOp<K extends FusedKernels> extends DynamicCustomOp implements HostOp {
    K kernels;

    FusedOp() {
    }

    FusedOp(SameDiff sd, SDVariable[] args, K kernels) {
        super(null, sd, args);
        this.kernels = kernels;
        FusedOps.register();
    }

    /** Which fused op this is. */
    abstract FusedOps.Kind<K> kind();

    @Override
    public String opName() {
        return kind().name();
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        return kernels.properties();
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        // A copy SameDiff made (building the gradient function): fresh kernels from the settings.
        kernels = kind().fromProperties().apply(properties);
    }

    @Override
    public int getNumOutputs() {
        return outputs(args().length);
    }

    /** How many outputs the op has for this many arguments. */
    abstract int outputs(int arguments);

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        return new ArrayList<>(dataTypes.subList(0, outputs(dataTypes.size())));
    }

    /** Each output is shaped and typed as the argument at its position. */
    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        List<INDArray> in = inputArguments();
        List<LongShapeDescriptor> shapes = new ArrayList<>();
        for (int i = 0; i < outputs(in.size()); i++) {
            shapes.add(LongShapeDescriptor.fromShape(in.get(i).shape(), in.get(i).dataType()));
        }
        return shapes;
    }

    /**
     * SameDiff's own session asks this of every op before running it, and ND4J would pass the question on to libnd4j,
     * which does not know this op and aborts the JVM: refuse in Java instead, naming what runs fused ops.
     */
    @Override
    public List<LongShapeDescriptor> calculateOutputShape(OpContext context) {
        throw new IllegalStateException(opName() + " is a fused op that only Pictor's GraphExecutor runs (Graph.output,"
                + " Graph.gradients, Graph.gradientRunner), not SameDiff's session; or build the graph with"
                + " fusedTraining(false)");
    }

    /** A forward op: one output, shaped as the first argument; its gradient is one {@link Gradient} op. */
    abstract static class Forward<K extends FusedKernels> extends FusedOp<K> {
        Forward() {
        }

        Forward(SameDiff sd, SDVariable[] args, K kernels) {
            super(sd, args, kernels);
        }

        @Override
        int outputs(int arguments) {
            return 1;
        }

        /** The gradient op over {@code args} (this op's arguments, then its output's gradient). */
        abstract Gradient<K> gradient(SameDiff sd, SDVariable[] args, K kernels);

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            SDVariable[] args = args();
            SDVariable[] withGradient = Arrays.copyOf(args, args.length + 1);
            withGradient[args.length] = gradients.get(0);
            return Arrays.asList(gradient(sameDiff, withGradient, kernels).outputVariables());
        }
    }

    /**
     * A gradient op: arguments are the forward's then the output's gradient; outputs are the gradients of the
     * forward's arguments, into arrays it keeps across steps.
     */
    abstract static class Gradient<K extends FusedKernels> extends FusedOp<K> {
        private INDArray[] outputs;

        Gradient() {
        }

        Gradient(SameDiff sd, SDVariable[] args, K kernels) {
            super(sd, args, kernels);
        }

        @Override
        int outputs(int arguments) {
            return arguments - 1;
        }

        /** Fills {@code grads} (one per forward argument) from the forward's arguments and {@code dy}. */
        abstract void backward(INDArray[] forwardArgs, INDArray dy, INDArray[] grads);

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            throw new UnsupportedOperationException(opName() + " has no second derivative");
        }

        @Override
        public INDArray[] compute(INDArray[] inputs) {
            int n = inputs.length - 1;
            boolean same = outputs != null && outputs.length == n;
            for (int i = 0; same && i < n; i++) {
                same = Arrays.equals(outputs[i].shape(), inputs[i].shape());
            }
            if (!same) {
                outputs = new INDArray[n];
                for (int i = 0; i < n; i++) {
                    outputs[i] = Nd4j.createUninitialized(DataType.FLOAT, inputs[i].shape(), 'c');
                }
            }
            backward(Arrays.copyOf(inputs, n), inputs[n], outputs);
            return outputs.clone();
        }
    }
}
