package dev.pictor.text;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bag of words: one row per text with the count (or presence) of each vocabulary id, padding left out,
 * optionally L2-normalised. Output {@code [batch, vocabularySize]} FLOAT, or the same rows in sparse form with
 * {@link #encodeSparse}.
 *
 * <pre>{@code
 * BagOfWordsEncoder bow = new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.COUNT, true);
 * INDArray x = bow.encode(tokenizer.encodeBatch(List.of("a red circle", "a red red square")));  // [2, V]
 * }</pre>
 */
public final class BagOfWordsEncoder implements Encoder<TokenBatch> {

    /** What each entry holds. */
    public enum Weighting {
        /** How many times the word occurs. */
        COUNT,
        /** 1 if the word occurs. */
        BINARY;

        static Weighting parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    private final Weighting weighting;
    private final boolean normalize;
    private final long maxElements;

    /** An encoder whose dense results may hold up to 2^28 elements (1 GiB of floats). */
    public BagOfWordsEncoder(Weighting weighting, boolean normalize) {
        this(weighting, normalize, 1 << 28);
    }

    /** @param maxElements largest dense result accepted by {@link #counts}, in elements */
    public BagOfWordsEncoder(Weighting weighting, boolean normalize, long maxElements) {
        this.weighting = weighting;
        this.normalize = normalize;
        this.maxElements = maxElements;
    }

    @Override
    public String name() {
        return "bag-of-words";
    }

    @Override
    public Class<TokenBatch> inputType() {
        return TokenBatch.class;
    }

    @Override
    public java.util.Set<Output> outputs() {
        return java.util.EnumSet.of(Output.POOLED);
    }

    /** The width is the paired tokenizer's vocabulary size, known only from the batch. */
    @Override
    public long dimension(Output output) {
        return -1;
    }

    @Override
    public dev.pictor.api.spi.Encodings encode(TokenBatch batch, java.util.Set<Output> wanted) {
        dev.pictor.api.spi.Encodings.check(this, wanted);
        dev.pictor.api.spi.Encodings.Builder e = dev.pictor.api.spi.Encodings.builder(name());
        if (wanted.contains(Output.POOLED)) {
            e.put(Output.POOLED, counts(batch));
        }
        return e.build();
    }

    /** The dense counts alone, {@code [batch, vocabularySize]}. */
    public INDArray counts(TokenBatch batch) {
        long elements = (long) batch.size() * batch.vocabularySize();
        if (elements > maxElements) {
            throw new dev.pictor.api.BadInputException("encoder 'bag-of-words': a [" + batch.size() + ", "
                    + batch.vocabularySize() + "] result has " + elements + " elements, over the limit of " + maxElements
                    + ": encode fewer texts at a time or raise maxElements");
        }
        return encodeSparse(batch).toDense();
    }

    /** The same rows as {@link #counts}, in CSR form. */
    public SparseRows encodeSparse(TokenBatch batch) {
        int rows = batch.size();
        int length = batch.length();
        int v = batch.vocabularySize();
        long[] ids = batch.flatIds();
        long[] mask = batch.flatMask();
        int[] rowStart = new int[rows + 1];
        int[] columns = new int[ids.length];
        float[] values = new float[ids.length];
        int nnz = 0;
        int[] rowIds = new int[length];
        for (int r = 0; r < rows; r++) {
            int n = 0;
            for (int j = 0; j < length; j++) {
                int p = r * length + j;
                if (mask[p] != 0) {
                    rowIds[n++] = OneHotEncoder.checkedId(ids[p], v);
                }
            }
            Arrays.sort(rowIds, 0, n);
            int first = nnz;
            for (int k = 0; k < n; k++) {
                if (nnz > first && columns[nnz - 1] == rowIds[k]) {
                    if (weighting == Weighting.COUNT) {
                        values[nnz - 1] += 1f;
                    }
                } else {
                    columns[nnz] = rowIds[k];
                    values[nnz] = 1f;
                    nnz++;
                }
            }
            if (normalize && nnz > first) {
                double sum = 0;
                for (int k = first; k < nnz; k++) {
                    sum += (double) values[k] * values[k];
                }
                float scale = (float) (1.0 / Math.sqrt(sum));
                for (int k = first; k < nnz; k++) {
                    values[k] *= scale;
                }
            }
            rowStart[r + 1] = nnz;
        }
        return new SparseRows(rows, v, rowStart, Arrays.copyOf(columns, nnz), Arrays.copyOf(values, nnz));
    }
}
