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
        // Reductions need a non-negative axis, and x's rank is often unknown while building: work on [N, dim].
        SDVariable rows = x.reshape(-1, dim);
        SDVariable mean = rows.mean(true, 1);
        SDVariable centred = rows.sub(mean);
        SDVariable variance = g.sameDiff().math().square(centred).mean(true, 1);
        SDVariable normed = Broadcast.mulRows(g, centred, g.sameDiff().math().rsqrt(variance.add(eps)), dim);
        SDVariable y = Broadcast.mulColumns(g, normed, g.param(Graph.join(name, "weight"), Init.ones(), dim), dim)
                .add(g.param(Graph.join(name, "bias"), Init.zeros(), dim));
        return g.reshapeLike(y, x, 0);
    }
}
