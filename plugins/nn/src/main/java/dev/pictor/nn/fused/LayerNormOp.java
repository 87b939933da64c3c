package dev.pictor.nn.fused;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm as one graph op for training (arguments x, gain, bias; output shaped as x) whose gradient is one
 * {@link LayerNormGradOp} sharing its {@link LayerNormTraining}. Built by {@link dev.pictor.nn.layers.LayerNorm}
 * in graphs that train with fused kernels; runs only under {@link dev.pictor.nn.GraphExecutor}.
 */
public final class LayerNormOp extends FusedOp.Forward<LayerNormTraining> {

    /** For SameDiff's reflective copies; not for use. */
    public LayerNormOp() {
    }

    public LayerNormOp(SameDiff sd, SDVariable x, SDVariable gain, SDVariable bias, LayerNormTraining kernels) {
        super(sd, new SDVariable[] {x, gain, bias}, kernels);
    }

    @Override
    FusedOps.Kind<LayerNormTraining> kind() {
        return FusedOps.LAYER_NORM;
    }

    @Override
    FusedOp.Gradient<LayerNormTraining> gradient(SameDiff sd, SDVariable[] args, LayerNormTraining k) {
        return new LayerNormGradOp(sd, args, k);
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], inputs[1], inputs[2])};
    }
}
