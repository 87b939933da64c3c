package dev.pictor.nn.fused;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GroupNorm (and the SiLU after it, if any) as one graph op for training (arguments x, gain, bias; output shaped as
 * x) whose gradient is one {@link GroupNormGradOp} sharing its {@link GroupNormTraining}. Built by
 * {@link dev.pictor.nn.layers.GroupNorm} in channels-first graphs that train with fused kernels; runs only under
 * {@link dev.pictor.nn.GraphExecutor}.
 */
public final class GroupNormOp extends FusedOp.Forward<GroupNormTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public GroupNormOp() {
    }

    public GroupNormOp(SameDiff sd, SDVariable x, SDVariable gain, SDVariable bias, GroupNormTraining kernels) {
        super(sd, new SDVariable[] {x, gain, bias}, kernels);
    }

    @Override
    FusedOps.Kind<GroupNormTraining> kind() {
        return FusedOps.GROUP_NORM;
    }

    @Override
    FusedOp.Gradient<GroupNormTraining> gradient(SameDiff sd, SDVariable[] args, GroupNormTraining k) {
        return new GroupNormGradOp(sd, args, k);
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], inputs[1], inputs[2])};
    }
}
