package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Latent diffusion's {@code CrossAttention} ({@code ldm/modules/attention.py}): queries from the sequence, keys and
 * values from a context (the sequence itself when there is none), {@code heads} heads of {@code dimHead}, bias-free
 * {@code to_q}, {@code to_k}, {@code to_v}, and {@code to_out.0} back to the query width. The seed's
 * {@code Attention(Q, K, V)} with {@code Q = W_Q·φ(z)}, {@code K = W_K·τ(y)}, {@code V = W_V·τ(y)}.
 *
 * <pre>{@code
 * SDVariable y = new CrossAttention(320, 768, 8, 40).apply(g, "transformer_blocks.0.attn2", x, text);
 * }</pre>
 *
 * @param queryDim   width of the sequence
 * @param contextDim width of the context (queryDim for self-attention)
 * @param heads      heads
 * @param dimHead    width per head
 */
public record CrossAttention(long queryDim, long contextDim, int heads, long dimHead) {

    /** Self-attention of this width. */
    public static CrossAttention self(long dim, int heads, long dimHead) {
        return new CrossAttention(dim, dim, heads, dimHead);
    }

    /** @param context {@code [N, S, contextDim]}, or null to attend within {@code x} ({@code [N, T, queryDim]}) */
    public SDVariable apply(Graph g, String name, SDVariable x, SDVariable context) {
        SDVariable kv = context == null ? x : context;
        long inner = heads * dimHead;
        if (g.fusedTraining() && dev.pictor.nn.onednn.OneDnn.available()) {
            // one op with oneDNN products forward and backward instead of ~40 graph ops (parameters created in the
            // graph form's order, so both forms initialise alike)
            SDVariable[] params = {new Linear(queryDim, inner, false).weight(g, Graph.join(name, "to_q")),
                    new Linear(contextDim, inner, false).weight(g, Graph.join(name, "to_k")),
                    new Linear(contextDim, inner, false).weight(g, Graph.join(name, "to_v")),
                    new Linear(inner, queryDim, true).weight(g, Graph.join(name, "to_out.0")),
                    new Linear(inner, queryDim, true).bias(g, Graph.join(name, "to_out.0"))};
            return new dev.pictor.nn.fused.AttentionOp(g.sameDiff(), x, context, params,
                    new dev.pictor.nn.fused.AttentionTraining(queryDim, contextDim, heads, dimHead, context == null))
                    .outputVariable();
        }
        SDVariable q = new Linear(queryDim, inner, false).apply(g, Graph.join(name, "to_q"), x);
        SDVariable k = new Linear(contextDim, inner, false).apply(g, Graph.join(name, "to_k"), kv);
        SDVariable v = new Linear(contextDim, inner, false).apply(g, Graph.join(name, "to_v"), kv);
        SDVariable attended = MultiHeadAttention.attend(g, q, k, v, heads, inner, x, kv, null, false);
        return new Linear(inner, queryDim, true).apply(g, Graph.join(name, "to_out.0"), attended);
    }
}
