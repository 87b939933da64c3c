package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Halves {@code H, W} with a 3×3 convolution of stride 2: padded by 1 on every side (diffusers'
 * {@code Downsample2D}, the latent-diffusion UNet's {@code Downsample} whose convolution is named {@code op}), or,
 * in the latent-diffusion autoencoder, by one row and column of zeros at the bottom and right only.
 *
 * <pre>{@code
 * SDVariable y = new Downsample(64).apply(g, "down_blocks.0.downsamplers.0", x);
 * SDVariable z = new Downsample(64, "conv", true).apply(g, "encoder.down.0.downsample", x);
 * }</pre>
 *
 * @param channels C, kept
 * @param conv     the convolution's name under the layer's prefix
 * @param padEnd   pad only after the last row and column (the autoencoder's asymmetric padding)
 */
public record Downsample(long channels, String conv, boolean padEnd) {

    /** diffusers' form: {@code conv}, padding 1 all round. */
    public Downsample(long channels) {
        this(channels, "conv", false);
    }

    public SDVariable apply(Graph g, String name, SDVariable x) {
        if (!padEnd) {
            return new Conv2d(channels, channels, 3, 2, 1, true).apply(g, Graph.join(name, conv), x);
        }
        int[][] pads = g.layout() == Graph.Layout.NCHW ? new int[][] {{0, 0}, {0, 0}, {0, 1}, {0, 1}}
                : new int[][] {{0, 0}, {0, 1}, {0, 1}, {0, 0}};
        SDVariable padded = g.sameDiff().nn().pad(x, g.sameDiff().constant(Nd4j.createFromArray(pads)), 0.0);
        return new Conv2d(channels, channels, 3, 2, 0, true).apply(g, Graph.join(name, conv), padded);
    }
}
