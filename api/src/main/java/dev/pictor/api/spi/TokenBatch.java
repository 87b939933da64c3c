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
 * @param tokenTypeIds  {@code [batch, length]} INT64 segment ids for sentence pairs (0 for the first text, 1 for
 *                      the second), or null for single texts
 *
 * <p>The arrays belong to whoever holds the batch; nothing else frees them.
 *
 * <pre>{@code
 * TokenBatch batch = tokenizer.encodeBatch(List.of("a red circle", "a square"));
 * batch.size();                 // 2
 * batch.inputIds().shape();     // [2, 3]
 * }</pre>
 */
public record TokenBatch(INDArray inputIds, INDArray attentionMask, List<Encoding> encodings, int vocabularySize,
        INDArray tokenTypeIds) {

    /** A batch of single texts (no segment ids). */
    public TokenBatch(INDArray inputIds, INDArray attentionMask, List<Encoding> encodings, int vocabularySize) {
        this(inputIds, attentionMask, encodings, vocabularySize, null);
    }

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
        if (tokenTypeIds != null && (!java.util.Arrays.equals(tokenTypeIds.shape(), inputIds.shape())
                || tokenTypeIds.dataType() != DataType.INT64)) {
            throw new IllegalArgumentException("tokenTypeIds must be INT64 and shaped like inputIds");
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
        List<Encoding> rows = new java.util.ArrayList<>(encodings);
        long[] ids = new long[rows.size() * width];
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(ids, padId);
        for (int row = 0; row < rows.size(); row++) {
            Encoding e = rows.get(row);
            int[] rowIds = e.ids();
            int[] rowMask = e.attentionMask();
            int n = Math.min(rowIds.length, width);
            if (n < rowIds.length) {
                // Cut to the batch width: say so, so callers can warn that tokens were dropped.
                rows.set(row, new Encoding(java.util.Arrays.copyOf(rowIds, n), e.tokens().subList(0, n),
                        java.util.Arrays.copyOf(rowMask, n), true));
            }
            for (int j = 0; j < n; j++) {
                ids[row * width + j] = rowIds[j];
                mask[row * width + j] = rowMask[j];
            }
        }
        long[] shape = {rows.size(), width};
        return new TokenBatch(org.nd4j.linalg.factory.Nd4j.createFromArray(ids).reshape(shape),
                org.nd4j.linalg.factory.Nd4j.createFromArray(mask).reshape(shape), rows, vocabularySize);
    }

    /** The ids, row after row, whatever the arrays' layout (views and F-order are copied). */
    public long[] flatIds() {
        return inputIds.dup('c').data().asLong();
    }

    /** The attention mask, row after row, whatever the arrays' layout. */
    public long[] flatMask() {
        return attentionMask.dup('c').data().asLong();
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
