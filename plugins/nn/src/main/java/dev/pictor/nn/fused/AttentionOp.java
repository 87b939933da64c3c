package dev.pictor.nn.fused;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link dev.pictor.nn.layers.CrossAttention} as one graph op for training: arguments x, (context,) to_q, to_k,
 * to_v, to_out.0 weights and to_out.0 bias; output shaped as x. Its gradient is one {@link AttentionGradOp} sharing
 * its {@link AttentionTraining}. Runs only under {@link dev.pictor.nn.GraphExecutor}.
 */
public final class AttentionOp extends FusedOp.Forward<AttentionTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public AttentionOp() {
    }

    /** @param context null for self-attention (then {@code kernels.self()}) */
    public AttentionOp(SameDiff sd, SDVariable x, SDVariable context, SDVariable[] params, AttentionTraining kernels) {
        super(sd, arguments(x, context, params), kernels);
    }

    private static SDVariable[] arguments(SDVariable x, SDVariable context, SDVariable[] params) {
        SDVariable[] head = context == null ? new SDVariable[] {x} : new SDVariable[] {x, context};
        SDVariable[] all = Arrays.copyOf(head, head.length + params.length);
        System.arraycopy(params, 0, all, head.length, params.length);
        return all;
    }

    @Override
    FusedOps.Kind<AttentionTraining> kind() {
        return FusedOps.ATTENTION;
    }

    @Override
    FusedOp.Gradient<AttentionTraining> gradient(SameDiff sd, SDVariable[] args, AttentionTraining k) {
        return new AttentionGradOp(sd, args, k);
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        int first = kernels.self() ? 1 : 2;
        return new INDArray[] {kernels.forward(inputs[0], kernels.self() ? null : inputs[1],
                Arrays.copyOfRange(inputs, first, inputs.length))};
    }
}
