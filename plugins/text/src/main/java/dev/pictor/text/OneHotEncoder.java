package dev.pictor.text;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.api.spi.TokenBatch;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One-hot encoding: token {@code t} at position {@code j} of row {@code i} becomes a 1 at {@code [i, j, t]};
 * padding positions are all zero. Output {@code [batch, length, vocabularySize]} FLOAT.
 *
 * <p>The array is zero-filled natively and only the {@code batch × length} ones are written, so building it costs
 * the fill plus one store per token, not a Java loop over every element. Because the dense result grows with
 * the vocabulary, a batch over {@code maxElements} is refused with a message pointing to {@code bag-of-words}
 * (or the token ids themselves, which are the sparse form of a one-hot tensor).
 *
 * <pre>{@code
 * INDArray x = new OneHotEncoder(1 << 28).oneHot(tokenizer.encodeBatch(List.of("a red circle")));  // [1, 3, V]
 * }</pre>
 */
public final class OneHotEncoder implements Encoder<TokenBatch> {
    private final long maxElements;

    /** @param maxElements largest output accepted, in elements */
    public OneHotEncoder(long maxElements) {
        this.maxElements = maxElements;
    }

    @Override
    public String name() {
        return "one-hot";
    }

    @Override
    public Class<TokenBatch> inputType() {
        return TokenBatch.class;
    }

    @Override
    public java.util.Set<Output> outputs() {
        return java.util.EnumSet.of(Output.TOKENS, Output.MASK);
    }

    /** The width is the paired tokenizer's vocabulary size, known only from the batch. */
    @Override
    public long dimension(Output output) {
        return -1;
    }

    @Override
    public Encodings encode(TokenBatch batch, java.util.Set<Output> wanted) {
        Encodings.check(this, wanted);
        Encodings.Builder e = Encodings.builder(name());
        if (wanted.contains(Output.TOKENS)) {
            e.put(Output.TOKENS, oneHot(batch));
        }
        if (wanted.contains(Output.MASK)) {
            e.put(Output.MASK, batch.attentionMask().castTo(DataType.INT64));
        }
        return e.build();
    }

    /** The one-hot tensor alone, {@code [batch, length, vocabularySize]}. */
    public INDArray oneHot(TokenBatch batch) {
        int rows = batch.size();
        int length = batch.length();
        int v = batch.vocabularySize();
        long elements = (long) rows * length * v;
        if (elements > maxElements) {
            throw new BadInputException("encoder 'one-hot': a [" + rows + ", " + length + ", " + v + "] result has "
                    + elements + " elements, over the limit of " + maxElements + ": encode fewer texts at a time,"
                    + " raise maxElements, or use encoder 'bag-of-words'");
        }
        INDArray out = Nd4j.zeros(DataType.FLOAT, rows, length, v);
        FloatBuffer data = out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        long[] ids = batch.flatIds();
        long[] mask = batch.flatMask();
        for (int p = 0; p < ids.length; p++) {
            if (mask[p] != 0) {
                data.put((int) ((long) p * v + checkedId(ids[p], v)), 1f);
            }
        }
        Nd4j.getAffinityManager().tagLocation(out, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
        return out;
    }

    static int checkedId(long id, int vocabularySize) {
        if (id < 0 || id >= vocabularySize) {
            throw new BadInputException("token id " + id + " is outside the vocabulary (0.." + (vocabularySize - 1)
                    + "): the tokenizer and encoder disagree");
        }
        return (int) id;
    }
}
