package dev.pictor.api.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Input &#8594; embedding or hidden states.
 *
 * <p><b>Contract.</b> {@link #encode(Object)} takes a whole batch ({@link TokenBatch} for text encoders, a
 * {@code [batch, channels, height, width]} FLOAT {@link INDArray} for image encoders) and returns a new FLOAT
 * array owned by the caller: {@code [batch, dimension()]} for pooled embeddings, or
 * {@code [batch, length, dimension()]} for hidden states, as {@link #output()} says. The input is not
 * modified and stays the caller's.
 *
 * <p><b>Threads.</b> Safe to call from one thread at a time unless the implementation says more.
 *
 * <pre>{@code
 * Encoder<TokenBatch> bow = pipeline.encoder(TokenBatch.class);
 * INDArray vectors = bow.encode(tokenizer.encodeBatch(List.of("a red circle")));  // [1, V]
 * }</pre>
 *
 * @param <I> the batch type this encoder reads
 */
public interface Encoder<I> extends Component {

    /** What an {@link Encoder} returns for a batch. */
    enum Output {
        /** One vector per input: {@code [batch, dimension]}. */
        POOLED,
        /** One vector per position: {@code [batch, length, dimension]}. */
        SEQUENCE
    }

    /** The batch type this encoder reads, so pipelines can check the wiring before running. */
    Class<I> inputType();

    /** Whether the result is pooled or per position. */
    Output output();

    /** Width of each output vector, or -1 when it depends on the input (one-hot: the vocabulary size). */
    long dimension();

    /** Encodes one batch. */
    INDArray encode(I batch);
}
