package dev.pictor.ldm;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.Downsample;
import dev.pictor.nn.layers.GroupNorm;
import dev.pictor.nn.layers.Linear;
import dev.pictor.nn.layers.ResnetBlock;
import dev.pictor.nn.layers.SpatialTransformer;
import dev.pictor.nn.layers.TimestepEmbedding;
import dev.pictor.nn.layers.Upsample;
import java.util.ArrayDeque;
import java.util.Deque;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Latent diffusion's denoiser: CompVis's {@code UNetModel} with spatial transformers, defined once on a
 * {@link Graph} with upstream's parameter names ({@code time_embed.*}, {@code input_blocks.*},
 * {@code middle_block.*}, {@code output_blocks.*}, {@code out.*}), so the {@code model.diffusion_model.} part of a
 * Stable Diffusion 1.x checkpoint loads 1:1. It predicts the noise ε in a latent {@code z_t} at timestep {@code t},
 * cross-attending to a context (text-encoder token states).
 *
 * <pre>{@code
 * UNet unet = new UNet(UNetConfig.SD_V1);
 * Graph g = new Graph(DataType.FLOAT, 0);
 * SDVariable eps = unet.apply(g, g.input("z", -1, 4, 64, 64), g.input("t", DataType.LONG, -1),
 *         g.input("context", -1, 77, 768));
 * }</pre>
 */
public final class UNet {
    private final UNetConfig c;

    public UNet(UNetConfig config) {
        this.c = config;
    }

    public UNetConfig config() {
        return c;
    }

    /**
     * @param x         latents {@code [N, in, h, w]} (or NHWC in an NHWC graph), h and w divisible by
     *                  2^{@link UNetConfig#halvings()}
     * @param timesteps {@code [N]}
     * @param context   {@code [N, S, context_dim]}
     * @return the predicted noise, {@code [N, out, h, w]}
     */
    public SDVariable apply(Graph g, SDVariable x, SDVariable timesteps, SDVariable context) {
        return apply(g, x, timesteps, context, null);
    }

    /**
     * The same with a vector condition {@code y} {@code [N, adm_in_channels]} (the text's pooled vector), which a
     * config with {@link UNetConfig#admInChannels()} needs: {@code label_emb(y)} joins the time embedding.
     */
    public SDVariable apply(Graph g, SDVariable x, SDVariable timesteps, SDVariable context, SDVariable y) {
        if ((c.admInChannels() > 0) != (y != null)) {
            throw new IllegalArgumentException(c.admInChannels() > 0 ? "this UNet needs its vector condition y"
                    : "this UNet takes no vector condition");
        }
        int mc = c.modelChannels();
        long embDim = c.timeEmbedDim();
        SDVariable emb = timestepEmbedding(c).apply(g, timesteps);
        emb = new Linear(mc, embDim, true).apply(g, "time_embed.0", emb);
        emb = new Linear(embDim, embDim, true).apply(g, "time_embed.2", Activation.SILU.apply(g, emb));
        if (y != null) {
            SDVariable label = new Linear(c.admInChannels(), embDim, true).apply(g, "label_emb.0.0", y);
            emb = emb.add(new Linear(embDim, embDim, true).apply(g, "label_emb.0.2", Activation.SILU.apply(g,
                    label)));
        }

        Deque<SDVariable> skips = new ArrayDeque<>();
        Deque<Long> skipChannels = new ArrayDeque<>();
        SDVariable h = Conv2d.same(c.inChannels(), mc, 3).apply(g, "input_blocks.0.0", x);
        skips.push(h);
        skipChannels.push((long) mc);
        long ch = mc;
        int ds = 1;
        int block = 1;
        for (int level = 0; level < c.channelMult().size(); level++) {
            long out = (long) mc * c.channelMult().get(level);
            for (int i = 0; i < c.numResBlocks(); i++, block++) {
                String name = "input_blocks." + block;
                h = resBlock(ch, out).apply(g, name + ".0", h, emb);
                ch = out;
                if (c.attentionResolutions().contains(ds)) {
                    h = transformer(ch).apply(g, name + ".1", h, context);
                }
                skips.push(h);
                skipChannels.push(ch);
            }
            if (level != c.channelMult().size() - 1) {
                h = new Downsample(ch, "op", false).apply(g, "input_blocks." + block + ".0", h);
                block++;
                skips.push(h);
                skipChannels.push(ch);
                ds *= 2;
            }
        }

        h = resBlock(ch, ch).apply(g, "middle_block.0", h, emb);
        h = transformer(ch).apply(g, "middle_block.1", h, context);
        h = resBlock(ch, ch).apply(g, "middle_block.2", h, emb);

        int outBlock = 0;
        for (int level = c.channelMult().size() - 1; level >= 0; level--) {
            long out = (long) mc * c.channelMult().get(level);
            for (int i = 0; i <= c.numResBlocks(); i++, outBlock++) {
                String name = "output_blocks." + outBlock;
                long skip = skipChannels.pop();
                h = g.sameDiff().concat(g.channelAxis(), h, skips.pop());
                h = resBlock(ch + skip, out).apply(g, name + ".0", h, emb);
                ch = out;
                int sub = 1;
                if (c.attentionResolutions().contains(ds)) {
                    h = transformer(ch).apply(g, name + "." + sub++, h, context);
                }
                if (level > 0 && i == c.numResBlocks()) {
                    h = new Upsample(ch, true).apply(g, name + "." + sub, h);
                    ds /= 2;
                }
            }
        }
        h = new GroupNorm(UNetConfig.GROUPS, ch, UNetConfig.EPS).applySilu(g, "out.0", h);
        return Conv2d.same(ch, c.outChannels(), 3).apply(g, "out.2", h);
    }

    /** Upstream's {@code timestep_embedding}: cosines first, max period 10,000, {@code model_channels} wide. */
    static TimestepEmbedding timestepEmbedding(UNetConfig c) {
        return new TimestepEmbedding(c.modelChannels(), true, 0, 10000);
    }

    private ResnetBlock resBlock(long in, long out) {
        return new ResnetBlock(in, out, c.timeEmbedDim(), UNetConfig.GROUPS, UNetConfig.EPS,
                ResnetBlock.Names.LDM_UNET, c.useScaleShiftNorm());
    }

    private SpatialTransformer transformer(long channels) {
        return new SpatialTransformer(channels, c.heads(channels), c.headWidth(channels), c.transformerDepth(),
                c.contextDim());
    }
}
