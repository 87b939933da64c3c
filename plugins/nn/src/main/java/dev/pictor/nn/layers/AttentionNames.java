package dev.pictor.nn.layers;

/**
 * Where an attention layer's four projections live, relative to its prefix, in each upstream family's
 * checkpoints.
 *
 * <pre>{@code
 * AttentionNames.BERT.query();   // "attention.self.query"
 * }</pre>
 *
 * @param query  query projection
 * @param key    key projection
 * @param value  value projection
 * @param output output projection
 */
public record AttentionNames(String query, String key, String value, String output) {
    /** Hugging Face BERT, relative to a layer ({@code encoder.layer.N}). */
    public static final AttentionNames BERT = new AttentionNames("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense");
    /** Hugging Face CLIP, relative to the attention module ({@code self_attn}). */
    public static final AttentionNames CLIP = new AttentionNames("q_proj", "k_proj", "v_proj", "out_proj");
    /** diffusers' attention processors ({@code attn1}, {@code attn2}). */
    public static final AttentionNames DIFFUSERS = new AttentionNames("to_q", "to_k", "to_v", "to_out.0");

    /** The same names under a sub-prefix ({@code "self_attn"} + CLIP gives {@code "self_attn.q_proj"}…). */
    public AttentionNames under(String prefix) {
        return new AttentionNames(prefix + "." + query, prefix + "." + key, prefix + "." + value, prefix + "." + output);
    }
}
