package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Element-wise non-linearities, with PyTorch's definitions.
 *
 * <pre>{@code
 * SDVariable h = Activation.GELU.apply(g, x);   // exact: x·Φ(x), as BERT and nn.GELU()
 * }</pre>
 */
public enum Activation {
    /** {@code x · Φ(x) = x/2 · (1 + erf(x/√2))}, the exact form (not the tanh or sigmoid approximation). */
    GELU,
    /** {@code x · σ(1.702 x)}, CLIP's approximation. */
    QUICK_GELU,
    /** {@code x · σ(x)}, also called swish. */
    SILU,
    /** {@code max(0, x)}. */
    RELU;

    public SDVariable apply(Graph g, SDVariable x) {
        var sd = g.sameDiff();
        return switch (this) {
            case GELU -> x.mul(sd.math().erf(x.mul(1 / Math.sqrt(2))).add(1.0)).mul(0.5);
            case QUICK_GELU -> x.mul(sd.nn().sigmoid(x.mul(1.702)));
            case SILU -> x.mul(sd.nn().sigmoid(x));
            case RELU -> sd.nn().relu(x, 0);
        };
    }

    /** The same function as a oneDNN kernel (fused into products, or on its own with its backward). */
    public dev.pictor.nn.onednn.PostOps.Eltwise kernel() {
        return switch (this) {
            case GELU -> dev.pictor.nn.onednn.PostOps.Eltwise.GELU_ERF;
            case QUICK_GELU -> dev.pictor.nn.onednn.PostOps.Eltwise.QUICK_GELU;
            case SILU -> dev.pictor.nn.onednn.PostOps.Eltwise.SILU;
            case RELU -> dev.pictor.nn.onednn.PostOps.Eltwise.RELU;
        };
    }
}
