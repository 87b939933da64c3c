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
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * A whole pre-LN transformer stack as one graph op for training: arguments {@code x [B, T, C]} then every layer's
 * parameters ({@link dev.pictor.nn.layers.TransformerBlock#parameters} order), one output {@code [B, T, C]}. Its
 * gradient is one {@link TransformerStackGradOp} sharing this op's {@link TransformerStackTraining}, which keeps the
 * forward's activations for it. Built by {@link dev.pictor.nn.layers.TransformerBlock#applyStack}; runs only under
 * {@link dev.pictor.nn.GraphExecutor} (a {@link HostOp}).
 */
public final class TransformerStackOp extends DynamicCustomOp implements HostOp {
    private TransformerStackTraining kernels;

    /** For SameDiff's reflective copies; not for use. */
    public TransformerStackOp() {
    }

    public TransformerStackOp(SameDiff sd, SDVariable x, List<SDVariable> params, TransformerStackTraining kernels) {
        super(null, sd, arguments(x, params));
        this.kernels = kernels;
        FusedOps.register();
    }

    private static SDVariable[] arguments(SDVariable x, List<SDVariable> params) {
        List<SDVariable> all = new ArrayList<>();
        all.add(x);
        all.addAll(params);
        return all.toArray(SDVariable[]::new);
    }

    /** The kernels this op and its gradient share. */
    public TransformerStackTraining kernels() {
        return kernels;
    }

    @Override
    public String opName() {
        return FusedOps.STACK;
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        return FusedOps.stackProperties(kernels);
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        // A copy SameDiff made (building the gradient function): fresh kernels from the settings.
        kernels = FusedOps.stackKernels(properties);
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        return List.of(dataTypes.get(0));
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        INDArray x = inputArguments().get(0);
        return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable[] args = args();
        SDVariable[] withGradient = Arrays.copyOf(args, args.length + 1);
        withGradient[args.length] = gradients.get(0);
        return Arrays.asList(new TransformerStackGradOp(sameDiff, withGradient, kernels).outputVariables());
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], Arrays.copyOfRange(inputs, 1, inputs.length))};
    }
}
