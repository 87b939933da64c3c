package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.fused.TransformerStackOp;
import dev.pictor.nn.fused.TransformerStackTraining;
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

    /**
     * {@code x} through one layer per prefix. In a graph that trains with fused kernels
     * ({@link Graph#fusedTraining()}) a pre-LN stack without padding mask becomes one op whose forward and backward
     * run on oneDNN ({@link TransformerStackTraining}); otherwise each layer is {@link #apply}'s ops. The
     * parameters are the same either way.
     */
    public SDVariable applyStack(Graph g, java.util.List<String> prefixes, SDVariable x, boolean causal) {
        if (g.fusedTraining() && TransformerStackTraining.unsupported(this) == null) {
            java.util.List<SDVariable> params = new java.util.ArrayList<>();
            for (String p : prefixes) {
                params.addAll(parameters(g, p));
            }
            return new TransformerStackOp(g.sameDiff(), x, params, new TransformerStackTraining(this, prefixes.size(),
                    causal)).outputVariable();
        }
        for (String p : prefixes) {
            x = apply(g, p, x, null, causal);
        }
        return x;
    }

    /**
     * The layer's parameters under {@code prefix}, created on first use as {@link #apply} creates them and in the
     * same order (for {@link Norm#PRE}): norm1 gain and bias; query, key, value and output weight and bias; norm2
     * gain and bias; MLP in and out weight and bias.
     */
    public java.util.List<SDVariable> parameters(Graph g, String prefix) {
        LayerNorm ln = new LayerNorm(dim, eps);
        String n1 = Graph.join(prefix, names.norm1());
        String n2 = Graph.join(prefix, names.norm2());
        AttentionNames a = names.attention();
        Linear square = new Linear(dim, dim, true);
        Linear in = new Linear(dim, hidden, true);
        Linear out = new Linear(hidden, dim, true);
        java.util.List<SDVariable> p = new java.util.ArrayList<>();
        p.add(ln.gain(g, n1));
        p.add(ln.bias(g, n1));
        for (String projection : java.util.List.of(a.query(), a.key(), a.value(), a.output())) {
            p.add(square.weight(g, Graph.join(prefix, projection)));
            p.add(square.bias(g, Graph.join(prefix, projection)));
        }
        p.add(ln.gain(g, n2));
        p.add(ln.bias(g, n2));
        p.add(in.weight(g, Graph.join(prefix, names.mlpIn())));
        p.add(in.bias(g, Graph.join(prefix, names.mlpIn())));
        p.add(out.weight(g, Graph.join(prefix, names.mlpOut())));
        p.add(out.bias(g, Graph.join(prefix, names.mlpOut())));
        return p;
    }
}
