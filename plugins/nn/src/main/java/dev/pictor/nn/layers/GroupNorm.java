package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Group normalisation of {@code [N, C, H, W]} over groups of channels, PyTorch's {@code nn.GroupNorm}:
 * {@code weight [C]} (ones), {@code bias [C]} (zeros). ND4J has no GroupNorm op; this one is built from
 * reductions over a {@code [N, groups, C/groups·H·W]} view.
 *
 * <pre>{@code
 * SDVariable y = new GroupNorm(32, 128, 1e-5).apply(g, "norm1", x);
 * }</pre>
 *
 * @param groups   number of groups; must divide channels
 * @param channels C
 * @param eps      added to the variance
 */
public record GroupNorm(int groups, long channels, double eps) {
    public GroupNorm {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(groups + " groups do not divide " + channels + " channels");
        }
    }

    public SDVariable apply(Graph g, String name, SDVariable x) {
        var sd = g.sameDiff();
        SDVariable grouped = g.reshapeLike(x, x, 3, groups, -1);
        SDVariable mean = grouped.mean(true, 2);
        SDVariable centred = grouped.sub(mean);
        SDVariable variance = sd.math().square(centred).mean(true, 2);
        SDVariable normed = g.reshapeLike(centred.mul(sd.math().rsqrt(variance.add(eps))), x, 0);
        SDVariable gain = g.param(Graph.join(name, "weight"), Init.ones(), channels).reshape(1, channels, 1, 1);
        SDVariable shift = g.param(Graph.join(name, "bias"), Init.zeros(), channels).reshape(1, channels, 1, 1);
        return normed.mul(gain).add(shift);
    }
}
