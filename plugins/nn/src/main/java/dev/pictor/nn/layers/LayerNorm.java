package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Layer normalisation over the last dimension, PyTorch's {@code nn.LayerNorm}: {@code weight [dim]} (ones),
 * {@code bias [dim]} (zeros); biased variance, {@code eps} inside the square root.
 *
 * <pre>{@code
 * SDVariable y = new LayerNorm(384, 1e-12).apply(g, "attention.output.LayerNorm", x);
 * }</pre>
 *
 * @param dim normalised width
 * @param eps added to the variance
 */
public record LayerNorm(long dim, double eps) {

    public SDVariable apply(Graph g, String name, SDVariable x) {
        if (g.fusedTraining() && dev.pictor.nn.onednn.OneDnn.available()) {
            // one op with a oneDNN forward and backward instead of a dozen ND4J ops and their backward
            return new dev.pictor.nn.fused.LayerNormOp(g.sameDiff(), x, gain(g, name), bias(g, name),
                    new dev.pictor.nn.fused.LayerNormTraining(dim, eps)).outputVariable();
        }
        // Reductions need a non-negative axis, and x's rank is often unknown while building: work on [N, dim].
        SDVariable rows = x.reshape(-1, dim);
        SDVariable mean = rows.mean(true, 1);
        SDVariable centred = rows.sub(mean);
        SDVariable variance = g.sameDiff().math().square(centred).mean(true, 1);
        SDVariable normed = Broadcast.mulRows(g, centred, g.sameDiff().math().rsqrt(variance.add(eps)), dim);
        SDVariable y = Broadcast.mulColumns(g, normed, gain(g, name), dim).add(bias(g, name));
        return g.reshapeLike(y, x, 0);
    }

    /** The gain {@code [dim]} under {@code name} (PyTorch's {@code weight}), created on first use as ones. */
    public SDVariable gain(Graph g, String name) {
        return g.param(Graph.join(name, "weight"), Init.ones(), dim);
    }

    /** The bias {@code [dim]} under {@code name}, created on first use as zeros. */
    public SDVariable bias(Graph g, String name) {
        return g.param(Graph.join(name, "bias"), Init.zeros(), dim);
    }
}
