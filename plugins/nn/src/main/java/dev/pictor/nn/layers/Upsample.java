package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Nearest-neighbour ×2 upsampling of {@code [N, C, H, W]}, optionally followed by a 3×3 convolution named
 * {@code conv} (diffusers' {@code Upsample2D}).
 *
 * <pre>{@code
 * SDVariable y = new Upsample(128, true).apply(g, "up_blocks.0.upsamplers.0", x);   // H, W doubled
 * }</pre>
 *
 * @param channels C
 * @param withConv whether a 3×3 convolution follows
 */
public record Upsample(long channels, boolean withConv) {

    public SDVariable apply(Graph g, String name, SDVariable x) {
        SDVariable up = g.sameDiff().cnn().upsampling2d(x, 2, 2, true);
        return withConv ? Conv2d.same(channels, channels, 3).apply(g, Graph.join(name, "conv"), up) : up;
    }
}
