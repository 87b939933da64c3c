package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Halves {@code H, W} with a 3×3 convolution of stride 2 and padding 1, named {@code conv} (diffusers'
 * {@code Downsample2D}).
 *
 * <pre>{@code
 * SDVariable y = new Downsample(64).apply(g, "down_blocks.0.downsamplers.0", x);
 * }</pre>
 *
 * @param channels C, kept
 */
public record Downsample(long channels) {

    public SDVariable apply(Graph g, String name, SDVariable x) {
        return new Conv2d(channels, channels, 3, 2, 1, true).apply(g, Graph.join(name, "conv"), x);
    }
}
