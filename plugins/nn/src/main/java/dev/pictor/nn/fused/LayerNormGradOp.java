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
import org.nd4j.linalg.factory.Nd4j;

/** The gradient of a {@link LayerNormOp}: arguments x, gain, bias, dy; outputs dx, dGain, dBias. */
public final class LayerNormGradOp extends DynamicCustomOp implements HostOp {
    private LayerNormTraining kernels;
    private INDArray[] outputs;

    /** For SameDiff's reflective copies; not for use. */
    public LayerNormGradOp() {
    }

    LayerNormGradOp(SameDiff sd, SDVariable[] args, LayerNormTraining kernels) {
        super(null, sd, args);
        this.kernels = kernels;
        FusedOps.register();
    }

    @Override
    public String opName() {
        return FusedOps.LAYER_NORM_BP;
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        return LayerNormOp.properties(kernels);
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        kernels = LayerNormOp.kernels(properties);
    }

    @Override
    public int getNumOutputs() {
        return 3;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        return new ArrayList<>(dataTypes.subList(0, 3));
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        List<INDArray> in = inputArguments();
        List<LongShapeDescriptor> shapes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            shapes.add(LongShapeDescriptor.fromShape(in.get(i).shape(), in.get(i).dataType()));
        }
        return shapes;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException("the fused LayerNorm has no second derivative");
    }

    @Override
    public INDArray[] compute(INDArray[] in) {
        if (outputs == null || !Arrays.equals(outputs[0].shape(), in[0].shape())) {
            outputs = new INDArray[3];
            for (int i = 0; i < 3; i++) {
                outputs[i] = Nd4j.createUninitialized(DataType.FLOAT, in[i].shape(), 'c');
            }
        }
        kernels.backward(in[3], in[1], in[2], outputs[0], outputs[1], outputs[2]);
        return outputs.clone();
    }
}
