package dev.pictor.api.spi;

import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A padded batch of tokenized texts, the input of text {@link Encoder}s.
 *
 * @param inputIds      {@code [batch, length]} INT64 token ids, padded with the tokenizer's pad id
 * @param attentionMask {@code [batch, length]} INT64, 1 for real tokens and 0 for padding
 * @param encodings     the per-text encodings the arrays were built from (unpadded)
 * @param vocabularySize the tokenizer's vocabulary size, so encoders can size one-hot outputs
 *
 * <p>The arrays belong to whoever holds the batch; nothing else frees them.
 *
 * <pre>{@code
 * TokenBatch batch = tokenizer.encodeBatch(List.of("a red circle", "a square"));
 * batch.size();                 // 2
 * batch.inputIds().shape();     // [2, 3]
 * }</pre>
 */
public record TokenBatch(INDArray inputIds, INDArray attentionMask, List<Encoding> encodings, int vocabularySize) {
    public TokenBatch {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(attentionMask, "attentionMask");
        encodings = List.copyOf(encodings);
        if (inputIds.rank() != 2 || !java.util.Arrays.equals(inputIds.shape(), attentionMask.shape())) {
            throw new IllegalArgumentException("inputIds and attentionMask must both be [batch, length]; got "
                    + java.util.Arrays.toString(inputIds.shape()) + " and "
                    + java.util.Arrays.toString(attentionMask.shape()));
        }
        if (inputIds.dataType() != DataType.INT64 || attentionMask.dataType() != DataType.INT64) {
            throw new IllegalArgumentException("inputIds and attentionMask must be INT64");
        }
        if (inputIds.size(0) != encodings.size()) {
            throw new IllegalArgumentException("batch of " + inputIds.size(0) + " rows has " + encodings.size()
                    + " encodings");
        }
    }

    /** Number of texts. */
    public int size() {
        return encodings.size();
    }

    /** Padded length of every row. */
    public int length() {
        return (int) inputIds.size(1);
    }
}
