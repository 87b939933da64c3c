package dev.pictor.nn.inference;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Host-side helpers of the inference engines: capacity buffers that serve every shape (texts of varied length
 * allocate nothing once the largest has been seen), dense views of their first elements, and small integer and
 * mask arrays read straight into Java arrays. ND4J's own routes ({@code toLongMatrix}, {@code castTo}) cost
 * 40–60 µs a call through its op machinery, which a batch of one text feels.
 *
 * <pre>{@code
 * buffer = Buffers.grow(buffer, rows * width);             // the same buffer when it is large enough
 * INDArray x = Buffers.prefix(buffer, batch, length, width); // [B, T, C] over its first elements
 * }</pre>
 */
public final class Buffers {
    private Buffers() {
    }

    /**
     * {@code buffer} when it holds at least {@code elements} floats, else a new one of {@code elements} or half as
     * large again as {@code buffer}, whichever is more: a stream of slowly growing shapes reallocates a
     * logarithmic number of times.
     */
    public static INDArray grow(INDArray buffer, long elements) {
        if (buffer != null && buffer.length() >= elements) {
            return buffer;
        }
        long capacity = buffer == null ? elements : Math.max(elements, buffer.length() + buffer.length() / 2);
        return Nd4j.createUninitialized(DataType.FLOAT, capacity);
    }

    /**
     * A dense C-order {@code shape} view of the first elements of {@code buffer} (the kernels address it from the
     * buffer's start). About 30 µs to make: keep it while the buffer stays.
     */
    public static INDArray prefix(INDArray buffer, long... shape) {
        return Nd4j.create(buffer.data(), shape);
    }

    /** The rows of a {@code [B, T]} integer array (token ids, segment ids) as Java arrays. */
    public static long[][] rows(INDArray ids) {
        if (ids.rank() != 2) {
            throw new IllegalArgumentException("expected [batch, length] ids, got " + Arrays.toString(ids.shape()));
        }
        long[] flat = dense(ids).data().asLong();
        int batch = (int) ids.size(0);
        int length = (int) ids.size(1);
        long[][] out = new long[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOfRange(flat, b * length, (b + 1) * length);
        }
        return out;
    }

    /** An array's elements as floats in C order (a {@code [B, T]} mask, say). */
    public static float[] flat(INDArray a) {
        float[] all = dense(a).data().asFloat();
        return all.length == a.length() ? all : Arrays.copyOf(all, (int) a.length());
    }

    private static INDArray dense(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }
}
