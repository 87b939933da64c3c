package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The diffusion UNet's residual block (diffusers' {@code ResnetBlock2D} names): GroupNorm → SiLU → 3×3 conv,
 * plus a projection of the time embedding added per channel, GroupNorm → SiLU → 3×3 conv, plus the input (through
 * a 1×1 {@code conv_shortcut} when the channel count changes).
 *
 * <pre>{@code
 * SDVariable h = new ResnetBlock(64, 128, 256, 32, 1e-5).apply(g, "down_blocks.1.resnets.0", x, temb);
 * }</pre>
 *
 * @param in      input channels
 * @param out     output channels
 * @param timeDim time-embedding width (0: the block takes no time embedding)
 * @param groups  GroupNorm groups
 * @param eps     GroupNorm epsilon
 */
public record ResnetBlock(long in, long out, long timeDim, int groups, double eps) {

    /** @param temb {@code [N, timeDim]}, or null when {@code timeDim} is 0 */
    public SDVariable apply(Graph g, String name, SDVariable x, SDVariable temb) {
        SDVariable h = new GroupNorm(groups, in, eps).apply(g, Graph.join(name, "norm1"), x);
        h = Conv2d.same(in, out, 3).apply(g, Graph.join(name, "conv1"), Activation.SILU.apply(g, h));
        if (timeDim > 0) {
            SDVariable t = new Linear(timeDim, out, true).apply(g, Graph.join(name, "time_emb_proj"),
                    Activation.SILU.apply(g, temb));
            h = h.add(g.perChannel(t, out));
        }
        h = new GroupNorm(groups, out, eps).apply(g, Graph.join(name, "norm2"), h);
        h = Conv2d.same(out, out, 3).apply(g, Graph.join(name, "conv2"), Activation.SILU.apply(g, h));
        SDVariable skip = in == out ? x : new Conv2d(in, out, 1, 1, 0, true).apply(g, Graph.join(name, "conv_shortcut"), x);
        return skip.add(h);
    }
}
