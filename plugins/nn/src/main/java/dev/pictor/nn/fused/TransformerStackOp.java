package dev.pictor.nn.fused;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A whole pre-LN transformer stack as one graph op for training: arguments {@code x [B, T, C]} then every layer's
 * parameters ({@link dev.pictor.nn.layers.TransformerBlock#parameters} order), one output {@code [B, T, C]}. Its
 * gradient is one {@link TransformerStackGradOp} sharing this op's {@link TransformerStackTraining}, which keeps the
 * forward's activations for it. Built by {@link dev.pictor.nn.layers.TransformerBlock#applyStack}; runs only under
 * {@link dev.pictor.nn.GraphExecutor} (a {@link dev.pictor.nn.HostOp}).
 */
public final class TransformerStackOp extends FusedOp.Forward<TransformerStackTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public TransformerStackOp() {
    }

    public TransformerStackOp(SameDiff sd, SDVariable x, List<SDVariable> params, TransformerStackTraining kernels) {
        super(sd, arguments(x, params), kernels);
    }

    private static SDVariable[] arguments(SDVariable x, List<SDVariable> params) {
        List<SDVariable> all = new ArrayList<>();
        all.add(x);
        all.addAll(params);
        return all.toArray(SDVariable[]::new);
    }

    /** The kernels this op and its gradient share. */
    public TransformerStackTraining kernels() {
        return kernels;
    }

    @Override
    FusedOps.Kind<TransformerStackTraining> kind() {
        return FusedOps.STACK;
    }

    @Override
    FusedOp.Gradient<TransformerStackTraining> gradient(SameDiff sd, SDVariable[] args, TransformerStackTraining k) {
        return new TransformerStackGradOp(sd, args, k);
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], Arrays.copyOfRange(inputs, 1, inputs.length))};
    }
}
