package dev.pictor.nn.onednn;

import java.util.Arrays;

/**
 * The shape and element strides of a float32 tensor as oneDNN reads it from a buffer: strides let a kernel read
 * a transposed matrix or one head of a fused QKV buffer without a copy.
 *
 * <pre>{@code
 * View.dense(32, 21, 384);                       // C order
 * View.transposed(384, 1536);                    // a PyTorch [out=1536, in=384] weight read as [in, out]
 * View.of(new long[] {B, H, T, D}, new long[] {T * 3 * C, D, 3 * C, 1});   // queries inside [B·T, 3C]
 * }</pre>
 *
 * A {@link #channelBlocked channel-blocked} view is oneDNN's {@code nChw16c} / {@code nChw8c}: channels in groups of
 * {@code block}, innermost, the layout its direct convolutions run fastest on; its strides are those of the outer
 * dimensions and say nothing to a reader outside oneDNN.
 *
 * @param dims    sizes
 * @param strides element strides per dimension
 * @param block   channels per block of a channel-blocked 4-d view; 0 for a strided one
 */
public record View(long[] dims, long[] strides, int block) {
    public View {
        if (dims.length != strides.length || dims.length == 0) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " and strides "
                    + Arrays.toString(strides) + " must have the same, non-zero rank");
        }
        if (block != 0 && (dims.length != 4 || (block != 8 && block != 16))) {
            throw new IllegalArgumentException("channel blocks of 8 or 16 are for 4-d views, got " + block + " for "
                    + Arrays.toString(dims));
        }
        dims = dims.clone();
        strides = strides.clone();
    }

    public View(long[] dims, long[] strides) {
        this(dims, strides, 0);
    }

    /**
     * {@code [n, c, h, w]} stored as {@code [n][⌈c/block⌉][h][w][block]} (oneDNN's {@code nChw16c} for a block of
     * 16), the channels padded with zeros to a whole block.
     */
    public static View channelBlocked(long n, long c, long h, long w, int block) {
        long padded = (c + block - 1) / block * block;
        return new View(new long[] {n, c, h, w}, new long[] {padded * h * w, 1, w * block, block}, block);
    }

    /** {@code [n, c, h, w]} stored channels-last ({@code [n][h][w][c]}, NHWC): what oneDNN's fast convolutions run on. */
    public static View channelsLast(long n, long c, long h, long w) {
        return new View(new long[] {n, c, h, w}, new long[] {h * w * c, 1, w * c, c});
    }

    public static View of(long[] dims, long[] strides) {
        return new View(dims, strides);
    }

    /** A C-order (row-major) tensor. */
    public static View dense(long... dims) {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= dims[i];
        }
        return new View(dims, strides);
    }

    /** A {@code [cols, rows]} view of a C-order {@code [rows, cols]} matrix: PyTorch's Linear weight as [in, out]. */
    public static View transposed(long in, long out) {
        return new View(new long[] {in, out}, new long[] {1, in});
    }

    /** Elements from the first to one past the last this view touches: the buffer length it needs. */
    public long extent() {
        if (block > 0) {
            return dims[0] * ((dims[1] + block - 1) / block * block) * dims[2] * dims[3];
        }
        long last = 0;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                return 0;
            }
            last += (dims[i] - 1) * strides[i];
        }
        return last + 1;
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public long[] strides() {
        return strides.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof View v && Arrays.equals(dims, v.dims) && Arrays.equals(strides, v.strides)
                && block == v.block;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dims) + Arrays.hashCode(strides)) + block;
    }

    @Override
    public String toString() {
        return block > 0 ? Arrays.toString(dims) + " in channel blocks of " + block
                : Arrays.toString(dims) + " strides " + Arrays.toString(strides);
    }
}
