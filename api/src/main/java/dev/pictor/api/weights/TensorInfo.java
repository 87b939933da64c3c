package dev.pictor.api.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name  the tensor's key, e.g. {@code "encoder.layer.0.attention.self.query.weight"}
 * @param dtype its element type
 * @param shape its shape (empty for a scalar)
 * @param begin first byte in the data section
 * @param end   one past its last byte in the data section
 *
 * <pre>{@code
 * TensorInfo info = file.info("embeddings.word_embeddings.weight");
 * info.elements();   // 30522 * 384
 * }</pre>
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a scalar). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes in the data section. */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype.code() + Arrays.toString(shape);
    }
}
