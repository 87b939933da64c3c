package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Group normalisation of images (in the graph's layout) over groups of channels, PyTorch's {@code nn.GroupNorm}:
 * {@code weight [C]} (ones), {@code bias [C]} (zeros). ND4J has no GroupNorm op; this one is built from
 * reductions over a {@code [N, groups, C/groups·H·W]} view.
 *
 * <pre>{@code
 * SDVariable y = new GroupNorm(32, 128, 1e-5).apply(g, "norm1", x);
 * SDVariable h = new GroupNorm(32, 128, 1e-5).applySilu(g, "norm1", x);   // SiLU(GroupNorm(x))
 * }</pre>
 *
 * In channels-first float32 graphs that train with fused kernels ({@link Graph#fusedTraining()}) the norm, and the
 * SiLU of {@link #applySilu}, are one op with a hand-written backward ({@link dev.pictor.nn.fused.GroupNormOp}).
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
        return apply(g, name, x, false);
    }

    /** {@code SiLU(GroupNorm(x))}, the pair every diffusion ResNet block and output head uses. */
    public SDVariable applySilu(Graph g, String name, SDVariable x) {
        return apply(g, name, x, true);
    }

    private SDVariable apply(Graph g, String name, SDVariable x, boolean silu) {
        SDVariable gain = g.param(Graph.join(name, "weight"), Init.ones(), channels);
        SDVariable shift = g.param(Graph.join(name, "bias"), Init.zeros(), channels);
        if (g.fusedTraining() && g.layout() == Graph.Layout.NCHW && dev.pictor.nn.onednn.OneDnn.available()) {
            return new dev.pictor.nn.fused.GroupNormOp(g.sameDiff(), x, gain, shift,
                    new dev.pictor.nn.fused.GroupNormTraining(groups, channels, eps, silu)).outputVariable();
        }
        SDVariable y = normalise(g, x, gain, shift);
        return silu ? Activation.SILU.apply(g, y) : y;
    }

    private SDVariable normalise(Graph g, SDVariable x, SDVariable gainParam, SDVariable shiftParam) {
        var sd = g.sameDiff();
        // NCHW: [N, G, C/G·H·W], statistics over axis 2. NHWC: [N, H·W, G, C/G], statistics over axes 1 and 3.
        boolean nchw = g.layout() == Graph.Layout.NCHW;
        SDVariable grouped = nchw ? g.reshapeLike(x, x, 3, groups, -1)
                : g.reshapeLike(x, x, 3, -1, groups, channels / groups);
        int[] axes = nchw ? new int[] {2} : new int[] {1, 3};
        SDVariable mean = grouped.mean(true, axes);
        SDVariable centred = grouped.sub(mean);
        SDVariable variance = sd.math().square(centred).mean(true, axes);
        SDVariable normed = g.reshapeLike(centred.mul(sd.math().rsqrt(variance.add(eps))), x, 0);
        SDVariable gain = g.perChannel(gainParam, channels);
        SDVariable shift = g.perChannel(shiftParam, channels);
        return normed.mul(gain).add(shift);
    }
}
