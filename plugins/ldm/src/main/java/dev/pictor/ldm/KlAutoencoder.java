package dev.pictor.ldm;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.Downsample;
import dev.pictor.nn.layers.GroupNorm;
import dev.pictor.nn.layers.ResnetBlock;
import dev.pictor.nn.layers.SpatialSelfAttention;
import dev.pictor.nn.layers.Upsample;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Latent diffusion's KL-regularised autoencoder (CompVis's {@code AutoencoderKL}: {@code Encoder}, {@code Decoder},
 * {@code quant_conv}, {@code post_quant_conv}), defined once on a {@link Graph} with upstream's parameter names, so
 * a first-stage state dict loads 1:1. The encoder gives the moments of a diagonal Gaussian per latent pixel
 * ({@link #posterior}); the decoder maps a latent back to an image.
 *
 * <pre>{@code
 * KlAutoencoder ae = new KlAutoencoder(AutoencoderConfig.SD_V1);
 * Graph g = new Graph(DataType.FLOAT, 0);
 * SDVariable moments = ae.encode(g, g.input("image", -1, 3, 256, 256));
 * SDVariable image = ae.decode(g, KlAutoencoder.posterior(g, moments).mean());
 * g.load(weights, true);
 * }</pre>
 */
public final class KlAutoencoder {
    private final AutoencoderConfig c;

    public KlAutoencoder(AutoencoderConfig config) {
        this.c = config;
    }

    public AutoencoderConfig config() {
        return c;
    }

    /** Images {@code [N, in, R, R]} → the posterior's moments {@code [N, 2·embed_dim, R/f, R/f]}. */
    public SDVariable encode(Graph g, SDVariable image) {
        String e = "encoder";
        SDVariable h = Conv2d.same(c.inChannels(), c.ch(), 3).apply(g, Graph.join(e, "conv_in"), image);
        long blockIn = c.ch();
        int res = c.resolution();
        for (int level = 0; level < c.levels(); level++) {
            long blockOut = (long) c.ch() * c.chMult().get(level);
            String down = e + ".down." + level;
            for (int i = 0; i < c.numResBlocks(); i++) {
                h = block(blockIn, blockOut).apply(g, down + ".block." + i, h, null);
                blockIn = blockOut;
                if (c.attnResolutions().contains(res)) {
                    h = attention(blockIn).apply(g, down + ".attn." + i, h);
                }
            }
            if (level != c.levels() - 1) {
                h = new Downsample(blockIn, "conv", true).apply(g, down + ".downsample", h);
                res /= 2;
            }
        }
        h = middle(g, e, blockIn, h);
        h = out(g, e, blockIn, 2L * c.zChannels(), h);
        return new Conv2d(2L * c.zChannels(), 2L * c.embedDim(), 1, 1, 0, true).apply(g, "quant_conv", h);
    }

    /** Latents {@code [N, embed_dim, R/f, R/f]} (unscaled) → images {@code [N, out_ch, R, R]}. */
    public SDVariable decode(Graph g, SDVariable latent) {
        String d = "decoder";
        SDVariable z = new Conv2d(c.embedDim(), c.zChannels(), 1, 1, 0, true).apply(g, "post_quant_conv", latent);
        long blockIn = (long) c.ch() * c.chMult().get(c.levels() - 1);
        int res = c.latentSize();
        SDVariable h = Conv2d.same(c.zChannels(), blockIn, 3).apply(g, Graph.join(d, "conv_in"), z);
        h = middle(g, d, blockIn, h);
        for (int level = c.levels() - 1; level >= 0; level--) {
            long blockOut = (long) c.ch() * c.chMult().get(level);
            String up = d + ".up." + level;
            for (int i = 0; i <= c.numResBlocks(); i++) {
                h = block(blockIn, blockOut).apply(g, up + ".block." + i, h, null);
                blockIn = blockOut;
                if (c.attnResolutions().contains(res)) {
                    h = attention(blockIn).apply(g, up + ".attn." + i, h);
                }
            }
            if (level != 0) {
                h = new Upsample(blockIn, true).apply(g, up + ".upsample", h);
                res *= 2;
            }
        }
        return out(g, d, blockIn, c.outCh(), h);
    }

    /** The diagonal Gaussian a latent pixel is drawn from: mean, log-variance (clamped to [−30, 20]), std. */
    public record Posterior(SDVariable mean, SDVariable logVariance, SDVariable std) {
        /** {@code mean + std · noise}: a sample, given standard normal {@code noise} of the mean's shape. */
        public SDVariable sample(SDVariable noise) {
            return mean.add(std.mul(noise));
        }

        /** KL divergence from the standard normal, summed per image: {@code ½ Σ (μ² + σ² − 1 − log σ²)}, [N]. */
        public SDVariable kl(Graph g) {
            var sd = g.sameDiff();
            SDVariable terms = sd.math().square(mean).add(sd.math().exp(logVariance)).sub(1.0).sub(logVariance);
            return terms.sum(1, 2, 3).mul(0.5);
        }
    }

    /** Upstream's {@code DiagonalGaussianDistribution} of the encoder's moments (channels: means, then logvars). */
    public static Posterior posterior(Graph g, SDVariable moments) {
        var sd = g.sameDiff();
        SDVariable[] halves = sd.split(moments, 2, g.channelAxis());
        SDVariable logVariance = sd.math().clipByValue(halves[1], -30.0, 20.0);
        return new Posterior(halves[0], logVariance, sd.math().exp(logVariance.mul(0.5)));
    }

    private static ResnetBlock block(long in, long out) {
        return new ResnetBlock(in, out, 0, AutoencoderConfig.GROUPS, AutoencoderConfig.EPS,
                ResnetBlock.Names.LDM_AUTOENCODER);
    }

    private static SpatialSelfAttention attention(long channels) {
        return new SpatialSelfAttention(channels, AutoencoderConfig.GROUPS, AutoencoderConfig.EPS);
    }

    private static SDVariable middle(Graph g, String prefix, long channels, SDVariable h) {
        String mid = prefix + ".mid";
        h = block(channels, channels).apply(g, mid + ".block_1", h, null);
        h = attention(channels).apply(g, mid + ".attn_1", h);
        return block(channels, channels).apply(g, mid + ".block_2", h, null);
    }

    /** norm_out → SiLU → conv_out. */
    private static SDVariable out(Graph g, String prefix, long channels, long outChannels, SDVariable h) {
        h = new GroupNorm(AutoencoderConfig.GROUPS, channels, AutoencoderConfig.EPS).applySilu(g,
                Graph.join(prefix, "norm_out"), h);
        return Conv2d.same(channels, outChannels, 3).apply(g, Graph.join(prefix, "conv_out"), h);
    }
}
