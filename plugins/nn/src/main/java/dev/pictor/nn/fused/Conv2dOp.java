package dev.pictor.nn.fused;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * {@link dev.pictor.nn.layers.Conv2d} as one graph op for training (arguments x, weight OIHW, and bias if any;
 * output {@code [N, out, H', W']}) whose gradient is one {@link Conv2dGradOp} sharing its {@link Conv2dTraining}.
 * Runs only under {@link dev.pictor.nn.GraphExecutor}.
 */
public final class Conv2dOp extends FusedOp.Forward<Conv2dTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public Conv2dOp() {
    }

    /** @param bias null when the convolution has none */
    public Conv2dOp(SameDiff sd, SDVariable x, SDVariable weight, SDVariable bias, Conv2dTraining kernels) {
        super(sd, bias == null ? new SDVariable[] {x, weight} : new SDVariable[] {x, weight, bias}, kernels);
    }

    @Override
    FusedOps.Kind<Conv2dTraining> kind() {
        return FusedOps.CONV2D;
    }

    @Override
    FusedOp.Gradient<Conv2dTraining> gradient(SameDiff sd, SDVariable[] args, Conv2dTraining k) {
        return new Conv2dGradOp(sd, args, k);
    }

    /** Unlike the other fused ops, the output is not shaped as the input. */
    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        INDArray x = inputArguments().get(0);
        return List.of(LongShapeDescriptor.fromShape(kernels.outputShape(x.shape()), x.dataType()));
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], inputs[1], kernels.bias() ? inputs[2] : null)};
    }
}
