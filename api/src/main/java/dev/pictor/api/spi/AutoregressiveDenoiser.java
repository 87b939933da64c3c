package dev.pictor.api.spi;

/**
 * A next-token network (the DALL·E transformer): decoding goes through a {@link DecodingSession} that owns the
 * key/value cache of one batch, so no hidden state lives in the network itself and two sessions never share a
 * cache.
 *
 * <pre>{@code
 * try (DecodingSession s = transformer.open(2, Condition.none())) {
 *     INDArray logits = s.feed(prefix);            // [2, vocabularySize()]
 * }
 * }</pre>
 */
public non-sealed interface AutoregressiveDenoiser extends Denoiser {

    /** Number of token ids the logits cover. */
    int vocabularySize();

    /** The most positions a session can hold (its context length). */
    int maxLength();

    /** Opens a decoding session for {@code batch} sequences. */
    DecodingSession open(int batch, Condition condition);
}
