package dev.pictor.nn.fused;

import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.PostOps;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;

/**
 * The three products of a Linear layer's backward ({@code Y = X Wᵀ + b}, PyTorch's {@code [out, in]} weight) over
 * {@code rows} rows, as oneDNN kernels the fused training ops share: bind {@code dY} as {@code SRC} (with a row of
 * ones as {@code SRC} for the bias), the other operand as {@code WEIGHTS}.
 */
final class LinearGradients {
    private LinearGradients() {
    }

    /** {@code dW [out, in] = dYᵀ · X}: dY read transposed in place. */
    static Primitive weight(long rows, long out, long in) {
        return Kernels.matmul(View.of(new long[] {out, rows}, new long[] {1, out}), View.dense(rows, in), null,
                View.dense(out, in), PostOps.none());
    }

    /** {@code db [1, out] = 1ᵀ · dY}: the column sums, as a product with a row of ones. */
    static Primitive bias(long rows, long out) {
        return Kernels.matmul(View.dense(1, rows), View.dense(rows, out), null, View.dense(1, out), PostOps.none());
    }

    /** {@code dX [rows, in] = dY · W}; with {@code post} an accumulate, added to what dX holds. */
    static Primitive input(long rows, long out, long in, PostOps post) {
        return Kernels.matmul(View.dense(rows, out), View.dense(out, in), null, View.dense(rows, in), post);
    }
}
