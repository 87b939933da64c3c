package dev.pictor.ldm.train;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import dev.pictor.nn.layers.Conv2d;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The PatchGAN discriminator latent diffusion's autoencoders are trained against (taming-transformers'
 * {@code NLayerDiscriminator}, the {@code discriminator.main.*} keys of {@code LPIPSWithDiscriminator}): 4×4
 * convolutions, the first {@code layers} halving the image, LeakyReLU(0.2), BatchNorm on batch statistics between
 * them, and one logit per overlapping patch — {@code [N, 1, 6, 6]} for a 32-pixel image with two layers. It judges
 * texture and local structure, so the decoder learns sharp edges that a pixel loss alone blurs.
 *
 * <pre>{@code
 * SDVariable logits = new PatchDiscriminator(3, 32, 2).apply(g, "discriminator", images);
 * }</pre>
 *
 * @param inChannels image channels
 * @param width      channels of the first convolution ({@code ndf})
 * @param layers     halving convolutions ({@code n_layers})
 */
public record PatchDiscriminator(int inChannels, int width, int layers) {

    public SDVariable apply(Graph g, String name, SDVariable x) {
        var sd = g.sameDiff();
        int index = 0;
        SDVariable h = conv(g, name, index, inChannels, width, 2, true, x);
        h = sd.nn().leakyRelu(h, 0.2);
        index += 2;
        int mult = 1;
        for (int n = 1; n <= layers; n++) {
            int previous = mult;
            mult = Math.min(1 << n, 8);
            int stride = n < layers ? 2 : 1;
            h = conv(g, name, index, (long) width * previous, (long) width * mult, stride, false, h);
            h = batchNorm(g, Graph.join(name, "main." + (index + 1)), (long) width * mult, h);
            h = sd.nn().leakyRelu(h, 0.2);
            index += 3;
        }
        return conv(g, name, index, (long) width * mult, 1, 1, true, h);
    }

    private static SDVariable conv(Graph g, String name, int index, long in, long out, int stride, boolean bias,
            SDVariable x) {
        // taming's weights_init draws these N(0, 0.02): AutoencoderTraining sets them so after building
        return new Conv2d(in, out, 4, stride, 1, bias).apply(g, Graph.join(name, "main." + index), x);
    }

    /** BatchNorm2d in training mode: each channel normalised by the batch's mean and (biased) variance. */
    private static SDVariable batchNorm(Graph g, String name, long channels, SDVariable x) {
        var sd = g.sameDiff();
        SDVariable mean = x.mean(true, 0, 2, 3);
        SDVariable centred = x.sub(mean);
        SDVariable variance = sd.math().square(centred).mean(true, 0, 2, 3);
        SDVariable normed = centred.mul(sd.math().rsqrt(variance.add(1e-5)));
        SDVariable gain = g.param(Graph.join(name, "weight"), Init.ones(), channels);
        SDVariable shift = g.param(Graph.join(name, "bias"), Init.zeros(), channels);
        return normed.mul(g.perChannel(gain, channels)).add(g.perChannel(shift, channels));
    }
}
