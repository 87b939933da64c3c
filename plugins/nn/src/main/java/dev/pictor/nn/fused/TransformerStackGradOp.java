package dev.pictor.nn.fused;

import dev.pictor.nn.HostOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradient of a {@link TransformerStackOp}: arguments are the forward's ({@code x}, parameters) then the
 * output's gradient; outputs are the gradients of {@code x} and of every parameter, in argument order. Runs the
 * backward of the kernels its forward op ran (their kept activations), into output arrays it keeps across steps.
 */
public final class TransformerStackGradOp extends DynamicCustomOp implements HostOp {
    private TransformerStackTraining kernels;
    private INDArray[] outputs;

    /** For SameDiff's reflective copies; not for use. */
    public TransformerStackGradOp() {
    }

    TransformerStackGradOp(SameDiff sd, SDVariable[] args, TransformerStackTraining kernels) {
        super(null, sd, args);
        this.kernels = kernels;
        FusedOps.register();
    }

    @Override
    public String opName() {
        return FusedOps.STACK_BP;
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
        return args().length - 1;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        return new ArrayList<>(dataTypes.subList(0, dataTypes.size() - 1));
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        List<INDArray> in = inputArguments();
        List<LongShapeDescriptor> shapes = new ArrayList<>();
        for (int i = 0; i < in.size() - 1; i++) {
            shapes.add(LongShapeDescriptor.fromShape(in.get(i).shape(), in.get(i).dataType()));
        }
        return shapes;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException("the fused transformer stack has no second derivative");
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        int n = inputs.length - 1;
        if (outputs == null || outputs.length != n || !Arrays.equals(outputs[0].shape(), inputs[0].shape())) {
            outputs = new INDArray[n];
            for (int i = 0; i < n; i++) {
                outputs[i] = Nd4j.createUninitialized(DataType.FLOAT, inputs[i].shape(), 'c');
            }
        }
        INDArray[] params = Arrays.copyOfRange(inputs, 1, n);
        kernels.backward(inputs[n], params, outputs[0], Arrays.copyOfRange(outputs, 1, n));
        return outputs.clone();
    }

    /** The gradient arrays of the last call (for tests). */
    List<INDArray> lastOutputs() {
        return outputs == null ? List.of() : Collections.unmodifiableList(Arrays.asList(outputs));
    }
}
