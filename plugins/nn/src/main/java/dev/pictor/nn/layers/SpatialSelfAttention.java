package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Single-head self-attention over the pixels of an image, with a residual: GroupNorm, then queries, keys and values
 * from 1×1 convolutions ({@code q}, {@code k}, {@code v}), softmax({@code q·kᵀ/√C}) over all {@code H·W} positions,
 * the attended values through a 1×1 {@code proj_out}, added to the input. Latent diffusion's {@code AttnBlock}
 * (the autoencoder's mid-block attention) and {@code SpatialSelfAttention}, with their parameter names.
 *
 * <pre>{@code
 * SDVariable y = new SpatialSelfAttention(512, 32, 1e-6).apply(g, "encoder.mid.attn_1", x);
 * }</pre>
 *
 * @param channels C
 * @param groups   the GroupNorm's groups
 * @param eps      the GroupNorm's epsilon
 */
public record SpatialSelfAttention(long channels, int groups, double eps) {

    public SDVariable apply(Graph g, String name, SDVariable x) {
        var sd = g.sameDiff();
        SDVariable h = new GroupNorm(groups, channels, eps).apply(g, Graph.join(name, "norm"), x);
        SDVariable q = tokens(g, new Conv2d(channels, channels, 1, 1, 0, true).apply(g, Graph.join(name, "q"), h));
        SDVariable k = tokens(g, new Conv2d(channels, channels, 1, 1, 0, true).apply(g, Graph.join(name, "k"), h));
        SDVariable v = tokens(g, new Conv2d(channels, channels, 1, 1, 0, true).apply(g, Graph.join(name, "v"), h));
        SDVariable weights = sd.nn().softmax(sd.mmul(q, k, false, true, false).mul(1 / Math.sqrt(channels)), -1);
        SDVariable attended = image(g, sd.mmul(weights, v), x);
        return x.add(new Conv2d(channels, channels, 1, 1, 0, true).apply(g, Graph.join(name, "proj_out"), attended));
    }

    /** An image as {@code [N, H·W, C]}. */
    private SDVariable tokens(Graph g, SDVariable image) {
        SDVariable channelsLast = g.layout() == Graph.Layout.NCHW ? g.sameDiff().permute(image, 0, 2, 3, 1) : image;
        return g.reshapeLike(channelsLast, image, 3, -1, channels);
    }

    /** {@code [N, H·W, C]} back to the layout and size of {@code like}. */
    private SDVariable image(Graph g, SDVariable tokens, SDVariable like) {
        var sd = g.sameDiff();
        if (g.layout() == Graph.Layout.NHWC) {
            return sd.reshape(tokens, sd.shape(like));
        }
        // [N, H·W, C] → [N, C, H·W] → [N, C, H, W]
        return sd.reshape(sd.permute(tokens, 0, 2, 1), sd.shape(like));
    }
}
