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
        double bound = 1 / Math.sqrt(in);
        SDVariable w = g.param(Graph.join(name, "weight"), Init.uniform(bound), out, in);
        // Rank 2 known at build time needs no reshapes; anything else goes through [N, in] and back.
        boolean matrix = x.getShape() != null && x.getShape().length == 2;
        SDVariable flat = matrix ? x : x.reshape(-1, in);
        SDVariable y = g.sameDiff().mmul(flat, w, false, true, false);
        if (bias) {
            y = y.add(g.param(Graph.join(name, "bias"), Init.uniform(bound), out));
        }
        return matrix ? y : g.reshapeLike(y, x, 1, out);
    }
}
