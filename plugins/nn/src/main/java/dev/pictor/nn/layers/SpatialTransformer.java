package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Latent diffusion's {@code SpatialTransformer} ({@code ldm/modules/attention.py}): an image's pixels as a sequence
 * through transformer blocks that attend to each other and to a context. GroupNorm (32 groups, ε 1e-6), a 1×1
 * {@code proj_in} to {@code heads · dimHead} channels, the pixels as tokens through {@code depth}
 * {@code transformer_blocks} — each {@code x += attn1(norm1(x))} (self), {@code x += attn2(norm2(x), context)}
 * (cross), {@code x += ff(norm3(x))} (a GEGLU feed-forward, 4× wide) — back to an image, a 1×1 {@code proj_out},
 * plus the input.
 *
 * <pre>{@code
 * SDVariable h = new SpatialTransformer(320, 8, 40, 1, 768).apply(g, "input_blocks.1.1", x, text);
 * }</pre>
 *
 * @param channels   image channels in and out
 * @param heads      attention heads
 * @param dimHead    width per head
 * @param depth      transformer blocks
 * @param contextDim width of the context's tokens
 */
public record SpatialTransformer(long channels, int heads, long dimHead, int depth, long contextDim) {
    static final int GROUPS = 32;
    static final double NORM_EPS = 1e-6;
    static final double LAYER_NORM_EPS = 1e-5;

    /** @param context {@code [N, S, contextDim]}, or null (the cross-attention then attends within the image) */
    public SDVariable apply(Graph g, String name, SDVariable x, SDVariable context) {
        var sd = g.sameDiff();
        long inner = heads * dimHead;
        SDVariable h = new GroupNorm(GROUPS, channels, NORM_EPS).apply(g, Graph.join(name, "norm"), x);
        h = new Conv2d(channels, inner, 1, 1, 0, true).apply(g, Graph.join(name, "proj_in"), h);
        // [N, C, H, W] → [N, H·W, C]
        SDVariable image = h;
        SDVariable channelsLast = g.layout() == Graph.Layout.NCHW ? sd.permute(h, 0, 2, 3, 1) : h;
        SDVariable tokens = g.reshapeLike(channelsLast, h, 3, -1, inner);
        for (int i = 0; i < depth; i++) {
            tokens = block(g, Graph.join(name, "transformer_blocks." + i), tokens, context);
        }
        SDVariable back = g.layout() == Graph.Layout.NCHW
                ? sd.reshape(sd.permute(tokens, 0, 2, 1), sd.shape(image))
                : sd.reshape(tokens, sd.shape(image));
        return x.add(new Conv2d(inner, channels, 1, 1, 0, true).apply(g, Graph.join(name, "proj_out"), back));
    }

    /** {@code BasicTransformerBlock}. */
    private SDVariable block(Graph g, String name, SDVariable x, SDVariable context) {
        long inner = heads * dimHead;
        LayerNorm norm = new LayerNorm(inner, LAYER_NORM_EPS);
        x = x.add(CrossAttention.self(inner, heads, dimHead).apply(g, Graph.join(name, "attn1"),
                norm.apply(g, Graph.join(name, "norm1"), x), null));
        x = x.add(new CrossAttention(inner, context == null ? inner : contextDim, heads, dimHead).apply(g,
                Graph.join(name, "attn2"), norm.apply(g, Graph.join(name, "norm2"), x), context));
        return x.add(feedForward(g, Graph.join(name, "ff"), norm.apply(g, Graph.join(name, "norm3"), x), inner));
    }

    /** {@code FeedForward(dim, glu=True)}: {@code net.0.proj} to 2·4·dim, {@code a · GELU(gate)}, {@code net.2}. */
    private static SDVariable feedForward(Graph g, String name, SDVariable x, long dim) {
        long hidden = 4 * dim;
        if (g.fusedTraining() && dev.pictor.nn.onednn.OneDnn.available()) {
            // one op on oneDNN kernels forward and backward (parameters created in the graph form's order)
            Linear proj = new Linear(dim, 2 * hidden, true);
            Linear out = new Linear(hidden, dim, true);
            SDVariable[] params = {proj.weight(g, Graph.join(name, "net.0.proj")),
                    proj.bias(g, Graph.join(name, "net.0.proj")), out.weight(g, Graph.join(name, "net.2")),
                    out.bias(g, Graph.join(name, "net.2"))};
            return new dev.pictor.nn.fused.FeedForwardOp(g.sameDiff(), x, params,
                    new dev.pictor.nn.fused.FeedForwardTraining(dim, hidden)).outputVariable();
        }
        SDVariable both = new Linear(dim, 2 * hidden, true).apply(g, Graph.join(name, "net.0.proj"), x);
        SDVariable[] halves = g.sameDiff().split(both, 2, -1);
        SDVariable gated = halves[0].mul(Activation.GELU.apply(g, halves[1]));
        return new Linear(hidden, dim, true).apply(g, Graph.join(name, "net.2"), gated);
    }
}
