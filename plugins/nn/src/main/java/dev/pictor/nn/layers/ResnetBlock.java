package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The diffusion residual block: GroupNorm → SiLU → 3×3 conv, plus a projection of the SiLU'd time embedding added
 * per channel, GroupNorm → SiLU → 3×3 conv, plus the input (through a 1×1 convolution when the channel count
 * changes). The same maths carries three naming schemes ({@link Names}): diffusers' {@code ResnetBlock2D}, the
 * latent-diffusion autoencoder's {@code ResnetBlock} and the latent-diffusion UNet's {@code ResBlock}.
 *
 * <pre>{@code
 * SDVariable h = new ResnetBlock(64, 128, 256, 32, 1e-5).apply(g, "down_blocks.1.resnets.0", x, temb);
 * SDVariable e = new ResnetBlock(64, 128, 0, 32, 1e-6, ResnetBlock.Names.LDM_AUTOENCODER)
 *         .apply(g, "encoder.down.1.block.0", x, null);
 * }</pre>
 *
 * @param in      input channels
 * @param out     output channels
 * @param timeDim time-embedding width (0: the block takes no time embedding)
 * @param groups  GroupNorm groups
 * @param eps     GroupNorm epsilon
 * @param names   the sub-layers' parameter names
 * @param scaleShift the time embedding scales and shifts the second GroupNorm's output, {@code h·(1 + scale) +
 *                shift}, its projection twice as wide (improved DDPM's and ADM's {@code use_scale_shift_norm}),
 *                instead of being added before it
 */
public record ResnetBlock(long in, long out, long timeDim, int groups, double eps, Names names, boolean scaleShift) {

    /** The sub-layers' names under the block's prefix, as each upstream code base writes them. */
    public record Names(String norm1, String conv1, String timeProjection, String norm2, String conv2,
            String shortcut) {
        /** diffusers' {@code ResnetBlock2D}. */
        public static final Names DIFFUSERS = new Names("norm1", "conv1", "time_emb_proj", "norm2", "conv2",
                "conv_shortcut");
        /** CompVis latent diffusion's autoencoder ({@code ldm/modules/diffusionmodules/model.py}). */
        public static final Names LDM_AUTOENCODER = new Names("norm1", "conv1", "temb_proj", "norm2", "conv2",
                "nin_shortcut");
        /** CompVis latent diffusion's UNet ({@code openaimodel.py}'s {@code ResBlock}: sequential indices). */
        public static final Names LDM_UNET = new Names("in_layers.0", "in_layers.2", "emb_layers.1",
                "out_layers.0", "out_layers.3", "skip_connection");
    }

    /** With diffusers' names. */
    public ResnetBlock(long in, long out, long timeDim, int groups, double eps) {
        this(in, out, timeDim, groups, eps, Names.DIFFUSERS);
    }

    /** The time embedding added before the second GroupNorm, as Stable Diffusion's blocks do. */
    public ResnetBlock(long in, long out, long timeDim, int groups, double eps, Names names) {
        this(in, out, timeDim, groups, eps, names, false);
    }

    /** @param temb {@code [N, timeDim]}, or null when {@code timeDim} is 0 */
    public SDVariable apply(Graph g, String name, SDVariable x, SDVariable temb) {
        SDVariable h = new GroupNorm(groups, in, eps).applySilu(g, Graph.join(name, names.norm1()), x);
        h = Conv2d.same(in, out, 3).apply(g, Graph.join(name, names.conv1()), h);
        SDVariable t = timeDim == 0 ? null : new Linear(timeDim, scaleShift ? 2 * out : out, true).apply(g,
                Graph.join(name, names.timeProjection()), Activation.SILU.apply(g, temb));
        if (scaleShift) {
            SDVariable scale = t.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                    org.nd4j.autodiff.samediff.SDIndex.interval(0L, out));
            SDVariable shift = t.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                    org.nd4j.autodiff.samediff.SDIndex.interval(out, 2 * out));
            h = new GroupNorm(groups, out, eps).apply(g, Graph.join(name, names.norm2()), h);
            h = Activation.SILU.apply(g, h.mul(g.perChannel(scale.add(1.0), out)).add(g.perChannel(shift, out)));
        } else {
            if (t != null) {
                h = h.add(g.perChannel(t, out));
            }
            h = new GroupNorm(groups, out, eps).applySilu(g, Graph.join(name, names.norm2()), h);
        }
        h = Conv2d.same(out, out, 3).apply(g, Graph.join(name, names.conv2()), h);
        SDVariable skip = in == out ? x
                : new Conv2d(in, out, 1, 1, 0, true).apply(g, Graph.join(name, names.shortcut()), x);
        return skip.add(h);
    }
}
