package dev.pictor.nn.fused;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The gradient of a {@link Conv2dOp}: arguments x, weight, (bias,) dy; outputs dx, dWeight(, dBias). */
public final class Conv2dGradOp extends FusedOp.Gradient<Conv2dTraining> {
    /** For SameDiff's reflective copies; not for use. */
    public Conv2dGradOp() {
    }

    Conv2dGradOp(SameDiff sd, SDVariable[] args, Conv2dTraining kernels) {
        super(sd, args, kernels);
    }

    @Override
    FusedOps.Kind<Conv2dTraining> kind() {
        return FusedOps.CONV2D_BP;
    }

    @Override
    void backward(INDArray[] forwardArgs, INDArray dy, INDArray[] grads) {
        kernels.backward(dy, grads[0], grads[1], kernels.bias() ? grads[2] : null);
    }
}
