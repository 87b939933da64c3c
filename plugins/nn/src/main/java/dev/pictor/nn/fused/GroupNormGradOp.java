package dev.pictor.nn.fused;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The gradient of a {@link GroupNormOp}: arguments x, gain, bias, dy; outputs dx, dGain, dBias. */
public final class GroupNormGradOp extends FusedOp.Gradient<GroupNormTraining> {
    /** For SameDiff's reflective copies; not for use. */
    public GroupNormGradOp() {
    }

    GroupNormGradOp(SameDiff sd, SDVariable[] args, GroupNormTraining kernels) {
        super(sd, args, kernels);
    }

    @Override
    FusedOps.Kind<GroupNormTraining> kind() {
        return FusedOps.GROUP_NORM_BP;
    }

    @Override
    void backward(INDArray[] forwardArgs, INDArray dy, INDArray[] grads) {
        kernels.backward(dy, forwardArgs[1], grads[0], grads[1], grads[2]);
    }
}
