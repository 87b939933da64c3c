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
        SDVariable up = g.layout() == Graph.Layout.NCHW ? g.sameDiff().cnn().upsampling2d(x, 2, 2, true) : nhwc(g, x);
        return withConv ? Conv2d.same(channels, channels, 3).apply(g, Graph.join(name, "conv"), up) : up;
    }

    /**
     * Nearest ×2 in NHWC by broadcasting [N, H, 1, W, 1, C] against [1, 1, 2, 1, 2, 1]: upsampling2d's backward is
     * wrong for NHWC in M2.1 (the parity test caught it), and a broadcast's backward is a plain sum.
     */
    private static SDVariable nhwc(Graph g, SDVariable x) {
        var sd = g.sameDiff();
        SDVariable spread = sd.expandDims(sd.expandDims(x, 2), 4);
        SDVariable copies = sd.constant(org.nd4j.linalg.factory.Nd4j.zeros(g.dtype(), 1, 1, 2, 1, 2, 1));
        SDVariable shape = sd.shape(x);
        SDVariable doubled = shape.mul(sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(1L, 2L, 2L, 1L)
                .castTo(shape.dataType())));
        return sd.reshape(spread.add(copies), doubled);
    }
}
