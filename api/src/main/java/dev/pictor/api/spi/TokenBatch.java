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

    /**
     * Pads encodings into a batch: rows of {@code length} ids (0 means the longest encoding's length), filled
     * with {@code padId} and mask 0 past each encoding's end; longer encodings are cut to {@code length}. Every
     * tokenizer can build its {@link Tokenizer#encodeBatch} result with this.
     */
    public static TokenBatch pad(List<Encoding> encodings, int padId, int length, int vocabularySize) {
        if (encodings.isEmpty()) {
            throw new dev.pictor.api.BadInputException("no texts to tokenize: give at least one");
        }
        int width = length > 0 ? length : encodings.stream().mapToInt(Encoding::length).max().orElse(1);
        long[] ids = new long[encodings.size() * width];
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(ids, padId);
        for (int row = 0; row < encodings.size(); row++) {
            Encoding e = encodings.get(row);
            int[] rowIds = e.ids();
            int[] rowMask = e.attentionMask();
            int n = Math.min(rowIds.length, width);
            for (int j = 0; j < n; j++) {
                ids[row * width + j] = rowIds[j];
                mask[row * width + j] = rowMask[j];
            }
        }
        long[] shape = {encodings.size(), width};
        return new TokenBatch(org.nd4j.linalg.factory.Nd4j.createFromArray(ids).reshape(shape),
                org.nd4j.linalg.factory.Nd4j.createFromArray(mask).reshape(shape), encodings, vocabularySize);
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
