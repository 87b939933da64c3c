package dev.pictor.api.spi;

import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link Denoiser} is conditioned on: usually the text encoder's hidden states and their mask.
 * An unconditional call (for classifier-free guidance) uses {@link #none()}.
 *
 * @param context {@code [batch, length, width]} FLOAT, or null for unconditional
 * @param mask    {@code [batch, length]} INT64 attention mask of the context, or null when all positions count
 * @param vector  {@code [batch, width]} FLOAT, a vector condition beside the context — the text's pooled vector,
 *                which a UNet with {@code adm_in_channels} adds to its time embedding (Stability's {@code y}) — or
 *                null; denoisers that take none ignore it
 *
 * <pre>{@code
 * Condition c = textEncoder.encode(batch).condition();   // token states and their mask
 * }</pre>
 */
public record Condition(INDArray context, INDArray mask, INDArray vector) {

    private static final Condition NONE = new Condition(null, null, null);

    /** A context and its mask, no vector. */
    public Condition(INDArray context, INDArray mask) {
        this(context, mask, null);
    }

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

    /** This condition with {@code vector} beside its context. */
    public Condition withVector(INDArray vector) {
        return new Condition(context, mask, vector);
    }

    /** The vector condition, if any. */
    public Optional<INDArray> vectorIfAny() {
        return Optional.ofNullable(vector);
    }

    /** The context, if any. */
    public Optional<INDArray> contextIfAny() {
        return Optional.ofNullable(context);
    }

    /** Whether this is the unconditional case. */
    public boolean isNone() {
        return context == null;
    }

    /** Rows of the context (the batch it serves), or 0 for {@link #none()}. */
    public long rows() {
        return context == null ? 0 : context.size(0);
    }

    /**
     * This condition for a batch of {@code rows}: unchanged when it already has that many rows (or is none), each
     * row repeated {@code rows / rows()} times when it has fewer (one prompt for four images).
     */
    public Condition forBatch(long rows) {
        long have = rows();
        if (context == null || have == rows) {
            return this;
        }
        if (rows % have != 0) {
            throw new IllegalArgumentException("a condition of " + have + " rows cannot serve a batch of " + rows);
        }
        int times = (int) (rows / have);
        return new Condition(repeatRows(context, times), mask == null ? null : repeatRows(mask, times),
                vector == null ? null : repeatRows(vector, times));
    }

    private static INDArray repeatRows(INDArray a, int times) {
        return times == 1 ? a : a.repeat(0, times);
    }

    /**
     * Two conditions stacked along the batch (the conditional and unconditional branches of classifier-free
     * guidance in one network call), or empty when they cannot share a call: one is none, their contexts differ
     * in length or width, or only one has a vector.
     */
    public static Optional<Condition> stack(Condition first, Condition second) {
        if (first.context == null || second.context == null || (first.vector == null) != (second.vector == null)) {
            return Optional.empty();
        }
        long[] a = first.context.shape();
        long[] b = second.context.shape();
        if (a.length != b.length || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(a, 1, a.length),
                java.util.Arrays.copyOfRange(b, 1, b.length))) {
            return Optional.empty();
        }
        INDArray context = org.nd4j.linalg.factory.Nd4j.concat(0, first.context, second.context);
        INDArray mask = null;
        if (first.mask != null || second.mask != null) {
            mask = org.nd4j.linalg.factory.Nd4j.concat(0, maskOrOnes(first), maskOrOnes(second));
        }
        INDArray vector = first.vector == null ? null
                : org.nd4j.linalg.factory.Nd4j.concat(0, first.vector, second.vector);
        return Optional.of(new Condition(context, mask, vector));
    }

    private static INDArray maskOrOnes(Condition c) {
        return c.mask != null ? c.mask
                : org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.INT64, c.context.size(0),
                        c.context.size(1));
    }
}
