package dev.pictor.api.spi;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link Denoiser} is conditioned on: usually the text encoder's hidden states and their mask.
 * An unconditional call (for classifier-free guidance) uses {@link #none()}.
 *
 * @param context {@code [batch, length, width]} FLOAT, or null for unconditional
 * @param mask    {@code [batch, length]} INT64 attention mask of the context, or null when all positions count
 *
 * <pre>{@code
 * Condition c = Condition.of(textEncoder.encode(batch), batch.attentionMask());
 * }</pre>
 */
public record Condition(INDArray context, INDArray mask) {

    private static final Condition NONE = new Condition(null, null);

    /** The unconditional case. */
    public static Condition none() {
        return NONE;
    }

    /** Conditioned on context, every position valid. */
    public static Condition of(INDArray context) {
        return new Condition(context, null);
    }

    /** Conditioned on context with a padding mask. */
    public static Condition of(INDArray context, INDArray mask) {
        return new Condition(context, mask);
    }

    /** The context, if any. */
    public Optional<INDArray> contextIfAny() {
        return Optional.ofNullable(context);
    }
}
