package dev.pictor.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The one rule every parity test uses to compare a float32 result with a reference (PyTorch in float64, ONNX
 * Runtime, another engine): element by element, {@code |a − b| ≤ atol + rtol·|b|}, with {@code rtol = 1e-5} and
 * an absolute term scaled to the tensor, {@code atol = rtol · max(‖b‖∞, 0.1 · scale)}.
 *
 * <p>Why the absolute term: float32 rounding leaves noise of about 1e-7 of the magnitudes a value is computed
 * from, so a value that is near zero — or a whole tensor that is zero in exact arithmetic, like the gradient of an
 * attention key's bias — cannot be held to a relative bound (an AVX2 build measured 1.04e-5 "relative" error on
 * such a gradient: pure noise). {@code ‖b‖∞} scales the bound to the tensor; {@code scale} is the magnitude of
 * what the tensor is computed from (for a gradient, the largest reference gradient of the same case), so an
 * all-zero tensor is held to rounding noise of its neighbours, not to zero. A wrong value of that neighbourhood's
 * size still fails by orders of magnitude.
 *
 * <pre>{@code
 * Tolerance.assertClose(ours, reference, Tolerance.scale(allReferenceGradients), "gradient of q_proj.bias");
 * }</pre>
 */
public final class Tolerance {
    /** Relative bound. */
    public static final double RTOL = 1e-5;
    /** Below this share of the case's scale a tensor's own magnitude no longer sets its absolute term. */
    public static final double FLOOR = 0.1;

    private Tolerance() {
    }

    /** The largest magnitude over {@code tensors}: the scale of a case. */
    public static double scale(Iterable<INDArray> tensors) {
        double s = 0;
        for (INDArray t : tensors) {
            s = Math.max(s, Transforms.abs(t.castTo(DataType.DOUBLE)).maxNumber().doubleValue());
        }
        return s;
    }

    /**
     * The worst element's error as a share of its bound: at most 1 passes. {@code scale} is the case's scale
     * ({@link #scale}); pass {@code 0} to scale by the tensor alone.
     */
    public static double ratio(INDArray actual, INDArray expected, double scale) {
        INDArray a = actual.castTo(DataType.DOUBLE);
        INDArray b = expected.castTo(DataType.DOUBLE);
        double norm = Transforms.abs(b).maxNumber().doubleValue();
        double atol = RTOL * Math.max(Math.max(norm, FLOOR * scale), Double.MIN_NORMAL);
        INDArray bound = Transforms.abs(b).muli(RTOL).addi(atol);
        return Transforms.abs(a.sub(b)).divi(bound).maxNumber().doubleValue();
    }

    /** Asserts {@link #ratio} ≤ 1, naming what was compared on failure; returns the ratio (for reports). */
    public static double assertClose(INDArray actual, INDArray expected, double scale, String what) {
        assertThat(actual).as(what + " missing").isNotNull();
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        double ratio = ratio(actual, expected, scale);
        assertThat(ratio).as(what + ": error as a share of the bound |a - b| <= atol + rtol*|b| (rtol " + RTOL
                + ", scale " + scale + ")").isLessThanOrEqualTo(1.0);
        return ratio;
    }

    /**
     * A float32 engine's result against a float64 reference: the worst difference within {@code 1e-4 ·
     * max(‖expected‖∞, 1)}, the bound the inference engines are held to (float32 rounding through a deep network).
     */
    public static void assertClose32(INDArray actual, INDArray expected, String what) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        INDArray a = actual.castTo(DataType.DOUBLE);
        INDArray b = expected.castTo(DataType.DOUBLE);
        double norm = Transforms.abs(b).maxNumber().doubleValue();
        double worst = Transforms.abs(a.sub(b)).maxNumber().doubleValue();
        assertThat(worst).as(what + ": worst difference against values up to " + norm)
                .isLessThanOrEqualTo(1e-4 * Math.max(norm, 1));
    }
}
