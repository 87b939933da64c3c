package dev.pictor.nn.fused;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Latent diffusion's GEGLU feed-forward as one graph op for training: arguments x, {@code net.0.proj} weight and
 * bias, {@code net.2} weight and bias; output shaped as x. Its gradient is one {@link FeedForwardGradOp} sharing its
 * {@link FeedForwardTraining}. Runs only under {@link dev.pictor.nn.GraphExecutor}.
 */
public final class FeedForwardOp extends FusedOp.Forward<FeedForwardTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public FeedForwardOp() {
    }

    public FeedForwardOp(SameDiff sd, SDVariable x, SDVariable[] params, FeedForwardTraining kernels) {
        super(sd, arguments(x, params), kernels);
    }

    private static SDVariable[] arguments(SDVariable x, SDVariable[] params) {
        SDVariable[] all = new SDVariable[params.length + 1];
        all[0] = x;
        System.arraycopy(params, 0, all, 1, params.length);
        return all;
    }

    @Override
    FusedOps.Kind<FeedForwardTraining> kind() {
        return FusedOps.FEED_FORWARD;
    }

    @Override
    FusedOp.Gradient<FeedForwardTraining> gradient(SameDiff sd, SDVariable[] args, FeedForwardTraining k) {
        return new FeedForwardGradOp(sd, args, k);
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], Arrays.copyOfRange(inputs, 1, inputs.length))};
    }
}
