package dev.pictor.nn.fused;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The gradient of an {@link AttentionOp}: arguments the forward's then dy; outputs one gradient per argument. */
public final class AttentionGradOp extends FusedOp.Gradient<AttentionTraining> {
    /** For SameDiff's reflective copies; not for use. */
    public AttentionGradOp() {
    }

    AttentionGradOp(SameDiff sd, SDVariable[] args, AttentionTraining kernels) {
        super(sd, args, kernels);
    }

    @Override
    FusedOps.Kind<AttentionTraining> kind() {
        return FusedOps.ATTENTION_BP;
    }

    @Override
    void backward(INDArray[] forwardArgs, INDArray dy, INDArray[] grads) {
        int first = kernels.self() ? 1 : 2;
        kernels.backward(dy, Arrays.copyOfRange(forwardArgs, first, forwardArgs.length), grads[0],
                kernels.self() ? null : grads[1], Arrays.copyOfRange(grads, first, grads.length));
    }
}
