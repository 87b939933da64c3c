package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A transformer layer: self-attention and an MLP, each with a residual connection, normalised before (pre-LN,
 * CLIP and GPT) or after (post-LN, BERT) the residual sum.
 *
 * <pre>{@code
 * var bert = new TransformerBlock(384, 12, 1536, Activation.GELU, TransformerBlock.Norm.POST, 1e-12,
 *         TransformerBlock.Names.BERT);
 * SDVariable h = bert.apply(g, "encoder.layer.0", x, mask, false);
 * }</pre>
 *
 * @param dim        width
 * @param heads      attention heads
 * @param hidden     MLP inner width
 * @param activation MLP non-linearity
 * @param norm       where the LayerNorms sit
 * @param eps        LayerNorm epsilon
 * @param names      parameter names of the parts
 */
public record TransformerBlock(long dim, int heads, long hidden, Activation activation, Norm norm, double eps,
        Names names) {

    /** Placement of the LayerNorms. */
    public enum Norm {
        /** {@code x + f(LN(x))}. */
        PRE,
        /** {@code LN(x + f(x))}. */
        POST
    }

    /**
     * Names of a layer's parts, relative to the layer.
     *
     * @param attention the attention projections
     * @param norm1     LayerNorm around the attention
     * @param norm2     LayerNorm around the MLP
     * @param mlpIn     the MLP's first Linear
     * @param mlpOut    the MLP's second Linear
     */
    public record Names(AttentionNames attention, String norm1, String norm2, String mlpIn, String mlpOut) {
        /** Hugging Face BERT ({@code encoder.layer.N}). */
        public static final Names BERT = new Names(AttentionNames.BERT, "attention.output.LayerNorm",
                "output.LayerNorm", "intermediate.dense", "output.dense");
        /** Hugging Face CLIP ({@code encoder.layers.N}). */
        public static final Names CLIP = new Names(AttentionNames.CLIP.under("self_attn"), "layer_norm1",
                "layer_norm2", "mlp.fc1", "mlp.fc2");
    }

    /**
     * @param x      {@code [N, T, dim]}
     * @param mask   {@code [N, T]} padding mask, or null
     * @param causal whether attention looks only backwards
     */
    public SDVariable apply(Graph g, String prefix, SDVariable x, SDVariable mask, boolean causal) {
        MultiHeadAttention attention = MultiHeadAttention.self(dim, heads, names.attention());
        LayerNorm ln = new LayerNorm(dim, eps);
        Mlp mlp = new Mlp(dim, hidden, activation, names.mlpIn(), names.mlpOut());
        String n1 = Graph.join(prefix, names.norm1());
        String n2 = Graph.join(prefix, names.norm2());
        if (norm == Norm.PRE) {
            SDVariable h = x.add(attention.apply(g, prefix, ln.apply(g, n1, x), null, mask, causal));
            return h.add(mlp.apply(g, prefix, ln.apply(g, n2, h)));
        }
        SDVariable h = ln.apply(g, n1, x.add(attention.apply(g, prefix, x, null, mask, causal)));
        return ln.apply(g, n2, h.add(mlp.apply(g, prefix, h)));
    }
}
