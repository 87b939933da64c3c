package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * {@code y = x Wᵀ + b} over the last dimension, PyTorch's {@code nn.Linear}: {@code weight [out, in]},
 * {@code bias [out]}, initialised U(±1/√in). Inputs of any rank are flattened to a 2-D matrix product (the
 * Mmul op, which reaches oneDNN) and reshaped back.
 *
 * <pre>{@code
 * SDVariable y = new Linear(384, 1536, true).apply(g, "intermediate.dense", x);   // [B, T, 384] -> [B, T, 1536]
 * }</pre>
 *
 * @param in   input features
 * @param out  output features
 * @param bias whether there is a bias
 */
public record Linear(long in, long out, boolean bias) {

    public SDVariable apply(Graph g, String name, SDVariable x) {
        SDVariable w = weight(g, name);
        // Rank 2 known at build time needs no reshapes; anything else goes through [N, in] and back.
        boolean matrix = x.getShape() != null && x.getShape().length == 2;
        SDVariable flat = matrix ? x : x.reshape(-1, in);
        SDVariable y = g.sameDiff().mmul(flat, w, false, true, false);
        if (bias) {
            y = y.add(bias(g, name));
        }
        return matrix ? y : g.reshapeLike(y, x, 1, out);
    }

    /** The weight {@code [out, in]} under {@code name}, created on first use with PyTorch's initialisation. */
    public SDVariable weight(Graph g, String name) {
        return g.param(Graph.join(name, "weight"), Init.uniform(1 / Math.sqrt(in)), out, in);
    }

    /** The bias {@code [out]} under {@code name}, created on first use with PyTorch's initialisation. */
    public SDVariable bias(Graph g, String name) {
        return g.param(Graph.join(name, "bias"), Init.uniform(1 / Math.sqrt(in)), out);
    }
}
