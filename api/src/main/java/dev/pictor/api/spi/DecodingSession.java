package dev.pictor.api.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch's autoregressive decoding: tokens are fed in order, and each feed returns the logits for the next
 * position. The session owns its key/value cache (a feed computes only the new positions) and releases it in
 * {@link #close()}.
 *
 * <p><b>Contract.</b> {@link #feed} takes {@code [batch, n]} INT64 token ids, n &gt;= 1 (the whole prefix first,
 * then one token at a time), and returns a new {@code [batch, vocabulary]} FLOAT array: the logits after the
 * last fed position. Feeding past the denoiser's {@code maxLength()} is an {@code IllegalStateException}.
 *
 * <pre>{@code
 * INDArray logits = session.feed(prefix);           // the prompt's tokens
 * logits = session.feed(Nd4j.createFromArray(new long[][] {{next}}));
 * }</pre>
 */
public interface DecodingSession extends AutoCloseable {

    /** Appends tokens and returns the next-token logits. */
    INDArray feed(INDArray tokens);

    /** Positions fed so far. */
    int length();

    /** Releases the cache. */
    @Override
    void close();
}
