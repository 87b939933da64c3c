package dev.pictor.nn.fused;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of a {@link TransformerStackOp}: arguments are the forward's ({@code x}, parameters) then the
 * output's gradient; outputs are the gradients of {@code x} and of every parameter. Runs the backward of the kernels
 * its forward op ran, on their kept activations.
 */
public final class TransformerStackGradOp extends FusedOp.Gradient<TransformerStackTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public TransformerStackGradOp() {
    }

    TransformerStackGradOp(SameDiff sd, SDVariable[] args, TransformerStackTraining kernels) {
        super(sd, args, kernels);
    }

    @Override
    FusedOps.Kind<TransformerStackTraining> kind() {
        return FusedOps.STACK_BP;
    }

    @Override
    void backward(INDArray[] forwardArgs, INDArray dy, INDArray[] grads) {
        kernels.backward(dy, Arrays.copyOfRange(forwardArgs, 1, forwardArgs.length), grads[0],
                Arrays.copyOfRange(grads, 1, grads.length));
    }
}
