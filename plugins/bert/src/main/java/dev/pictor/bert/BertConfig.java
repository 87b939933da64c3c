package dev.pictor.bert;

import dev.pictor.api.BadInputException;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.TransformerBlock;

/**
 * The size of a BERT encoder, as in a Hugging Face {@code config.json}.
 *
 * <pre>{@code
 * BertConfig.MINILM_L6;   // all-MiniLM-L6-v2: 6 layers, 384 wide, 12 heads
 * }</pre>
 *
 * @param vocabSize        word-piece vocabulary
 * @param hidden           width
 * @param layers           transformer layers
 * @param heads            attention heads
 * @param intermediate     MLP inner width
 * @param maxPositions     longest sequence
 * @param typeVocabSize    token types (segments)
 * @param layerNormEps     LayerNorm epsilon
 */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
        int typeVocabSize, double layerNormEps) {
    /** sentence-transformers/all-MiniLM-L6-v2. */
    public static final BertConfig MINILM_L6 = new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12);
    /** bert-base-uncased. */
    public static final BertConfig BASE_UNCASED = new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12);

    /** One encoder layer: post-LN, exact GELU, Hugging Face names (the graph and the fused engine both build it). */
    public TransformerBlock layer() {
        return new TransformerBlock(hidden, heads, intermediate, Activation.GELU, TransformerBlock.Norm.POST,
                layerNormEps, TransformerBlock.Names.BERT);
    }

    /** Refuses a sequence longer than the position table, naming the fix. */
    public void checkLength(long length) {
        if (length > maxPositions) {
            throw new BadInputException("sequence of " + length + " tokens is longer than the model's "
                    + maxPositions + ": truncate it (the tokenizer's maxLength)");
        }
    }
}
