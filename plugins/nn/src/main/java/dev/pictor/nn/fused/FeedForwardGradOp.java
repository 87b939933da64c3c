package dev.pictor.nn.fused;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The gradient of a {@link FeedForwardOp}: arguments the forward's then dy; one gradient per argument. */
public final class FeedForwardGradOp extends FusedOp.Gradient<FeedForwardTraining> {
    /** For SameDiff's reflective copies; not for use. */
    public FeedForwardGradOp() {
    }

    FeedForwardGradOp(SameDiff sd, SDVariable[] args, FeedForwardTraining kernels) {
        super(sd, args, kernels);
    }

    @Override
    FusedOps.Kind<FeedForwardTraining> kind() {
        return FusedOps.FEED_FORWARD_BP;
    }

    @Override
    void backward(INDArray[] forwardArgs, INDArray dy, INDArray[] grads) {
        kernels.backward(dy, Arrays.copyOfRange(forwardArgs, 1, forwardArgs.length), grads[0],
                Arrays.copyOfRange(grads, 1, grads.length));
    }
}
