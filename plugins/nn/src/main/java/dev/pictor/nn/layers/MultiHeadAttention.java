package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Scaled dot-product attention with {@code heads} heads: {@code softmax(Q Kᵀ/√d_head + mask) V}, then an
 * output projection. With no context it is self-attention; with a context it is cross-attention — the seed's
 * Attention(Q, K, V) with Q = W_Q·φ(z), K = W_K·τ(y), V = W_V·τ(y): queries from the sequence, keys and values
 * from the condition.
 *
 * <p>Masks are additive: a padding mask {@code [N, S]} (1 keep, 0 ignore) adds −10⁹ to the ignored keys' scores;
 * {@code causal} hides later positions. Projections carry biases and the names of {@link AttentionNames}.
 *
 * <pre>{@code
 * var attn = new MultiHeadAttention(320, 8, 768, AttentionNames.DIFFUSERS);
 * SDVariable y = attn.apply(g, "attn2", x, textContext, textMask, false);   // cross-attention
 * }</pre>
 *
 * @param dim        width of the sequence (and of Q, K, V)
 * @param heads      number of heads; must divide dim
 * @param contextDim width of the context (equal to dim for self-attention)
 * @param outputDim  width of the output projection (dim, except where attention pools into another width, as
 *                   CLIP's ResNet does)
 * @param names      parameter names of the projections
 */
public record MultiHeadAttention(long dim, int heads, long contextDim, long outputDim, AttentionNames names) {
    /** Large enough that exp(score − 10⁹) is exactly 0 in float32 and float64. */
    static final double MASKED = -1e9;

    public MultiHeadAttention {
        if (dim % heads != 0) {
            throw new IllegalArgumentException(heads + " heads do not divide width " + dim);
        }
    }

    /** Attention whose output has the sequence's width. */
    public MultiHeadAttention(long dim, int heads, long contextDim, AttentionNames names) {
        this(dim, heads, contextDim, dim, names);
    }

    /** Self-attention of this width. */
    public static MultiHeadAttention self(long dim, int heads, AttentionNames names) {
        return new MultiHeadAttention(dim, heads, dim, names);
    }

    /**
     * @param x       {@code [N, T, dim]}
     * @param context {@code [N, S, contextDim]}, or null for self-attention
     * @param mask    {@code [N, S]} padding mask of the keys, or null
     * @param causal  whether position t may only attend to positions ≤ t
     */
    public SDVariable apply(Graph g, String prefix, SDVariable x, SDVariable context, SDVariable mask, boolean causal) {
        SDVariable kv = context == null ? x : context;
        long kvDim = context == null ? dim : contextDim;
        SDVariable q = new Linear(dim, dim, true).apply(g, Graph.join(prefix, names.query()), x);
        SDVariable k = new Linear(kvDim, dim, true).apply(g, Graph.join(prefix, names.key()), kv);
        SDVariable v = new Linear(kvDim, dim, true).apply(g, Graph.join(prefix, names.value()), kv);
        SDVariable merged = attend(g, q, k, v, heads, dim, x, kv, mask, causal);
        return new Linear(dim, outputDim, true).apply(g, Graph.join(prefix, names.output()), merged);
    }

    /**
     * The attention itself, between projections: {@code q [N, T, H·d]}, {@code k, v [N, S, H·d]} split into
     * {@code heads} heads ({@code inner} = H·d), {@code softmax(q kᵀ/√d + masks) v}, the heads merged back to
     * {@code [N, T, H·d]}.
     * {@code x} and {@code kv} give the sequences' leading dimensions at run time.
     */
    static SDVariable attend(Graph g, SDVariable q, SDVariable k, SDVariable v, int heads, long inner, SDVariable x,
            SDVariable kv, SDVariable mask, boolean causal) {
        var sd = g.sameDiff();
        long headDim = inner / heads;
        q = split(g, q, x, heads, headDim);
        k = split(g, k, kv, heads, headDim);
        v = split(g, v, kv, heads, headDim);
        SDVariable scores = sd.mmul(q, k, false, true, false).mul(1 / Math.sqrt(headDim));
        if (mask != null) {
            SDVariable keep = sd.expandDims(sd.expandDims(mask.castTo(g.dtype()), 1), 1);
            scores = scores.add(keep.rsub(1.0).mul(MASKED));
        }
        if (causal) {
            // keep[t, s] = s <= t, built from positions (matrixBandPart has no backward in M2.1).
            SDVariable shape = sd.shape(scores);
            SDVariable t = sd.stridedSlice(shape, new long[] {-2}, new long[] {-1}, new long[] {1}).reshape();
            SDVariable s = sd.stridedSlice(shape, new long[] {-1}, new long[] {0}, new long[] {1}, 0, 1, 0, 0, 0)
                    .reshape();
            SDVariable zero = sd.constant(org.nd4j.linalg.factory.Nd4j.scalar(shape.dataType(), 0));
            SDVariable one = sd.constant(org.nd4j.linalg.factory.Nd4j.scalar(shape.dataType(), 1));
            SDVariable rows = sd.range(zero, t, one, shape.dataType()).reshape(-1, 1);
            SDVariable cols = sd.range(zero, s, one, shape.dataType()).reshape(1, -1);
            SDVariable keep = sd.lte(cols, rows).castTo(g.dtype());
            scores = scores.add(keep.rsub(1.0).mul(MASKED));
        }
        SDVariable attended = sd.mmul(sd.nn().softmax(scores, -1), v);
        return g.reshapeLike(sd.permute(attended, 0, 2, 1, 3), x, 1, inner);
    }


    /** {@code [N, L, H·d]} → {@code [N, H, L, d]}. */
    private static SDVariable split(Graph g, SDVariable y, SDVariable like, int heads, long headDim) {
        return g.sameDiff().permute(g.reshapeLike(y, like, 1, heads, headDim), 0, 2, 1, 3);
    }
}
