package dev.pictor.nn.fused;

import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.OneDnn;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm over the last dimension trained on oneDNN's kernels: the forward keeps its input and row statistics,
 * the backward gives the input's, gain's and bias's gradients in one call. As a graph of ND4J ops (mean, centre,
 * variance, rsqrt, two broadcast multiplies and an add, each with its backward) a LayerNorm of CLIP's size cost
 * ~20 ms a step; this costs ~1. Kernels and buffers are built per row count. Not thread-safe.
 *
 * <pre>{@code
 * var ln = new LayerNormTraining(128, 1e-5);
 * INDArray y = ln.forward(x, gain, bias);            // x [..., 128]
 * ln.backward(dy, gain, bias, dx, dGain, dBias);
 * }</pre>
 */
public final class LayerNormTraining implements AutoCloseable, FusedKernels {
    private final long dim;
    private final double eps;
    private long rows = -1;
    private Primitive forward;
    private Primitive backward;
    private INDArray input;
    private INDArray output;
    private INDArray mean;
    private INDArray variance;
    private boolean forwardDone;

    public LayerNormTraining(long dim, double eps) {
        if (!OneDnn.available()) {
            throw new IllegalStateException(OneDnn.unavailableReason());
        }
        this.dim = dim;
        this.eps = eps;
    }

    public long dim() {
        return dim;
    }

    public double eps() {
        return eps;
    }

    /** The settings, as a graph op stores them ({@link #fromProperties} rebuilds the kernels). */
    @Override
    public java.util.Map<String, Object> properties() {
        java.util.Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("dim", dim);
        p.put("eps", eps);
        return p;
    }

    static LayerNormTraining fromProperties(java.util.Map<String, Object> p) {
        return new LayerNormTraining(FusedOps.number(p, "dim").longValue(), FusedOps.number(p, "eps").doubleValue());
    }

    /** Normalises each row of {@code x} ({@code [..., dim]}); returns an array of this object's, shaped as x. */
    public INDArray forward(INDArray x, INDArray gain, INDArray bias) {
        if (x.dataType() != DataType.FLOAT || x.rank() < 1 || x.size(x.rank() - 1) != dim) {
            throw new IllegalArgumentException("LayerNorm over " + dim + " needs float32 [..., " + dim + "], got "
                    + x.dataType() + " " + java.util.Arrays.toString(x.shape()));
        }
        prepare(x.length() / dim);
        Kernels.copy(Kernels.dense(x), 0, input, 0, x.length());
        forward.bind(Args.SRC, input).bind(Args.DST, output).bind(Args.SCALE, Kernels.dense(gain))
                .bind(Args.SHIFT, Kernels.dense(bias)).bind(Args.MEAN, mean).bind(Args.VARIANCE, variance).execute();
        forwardDone = true;
        return output.reshape(x.shape());
    }

    /** Gradients for the last forward: writes {@code dx} (x's shape), {@code dGain} and {@code dBias} ({@code [dim]}). */
    public void backward(INDArray dy, INDArray gain, INDArray bias, INDArray dx, INDArray dGain, INDArray dBias) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        if (dy.length() != rows * dim || dx.length() != rows * dim) {
            throw new IllegalArgumentException("gradients must have the forward input's " + rows * dim + " elements");
        }
        backward.bind(Args.SRC, input).bind(Args.MEAN, mean).bind(Args.VARIANCE, variance)
                .bind(Args.SCALE, Kernels.dense(gain)).bind(Args.SHIFT, Kernels.dense(bias))
                .bind(Args.DIFF_DST, Kernels.dense(dy)).bind(Args.DIFF_SRC, dx).bind(Args.DIFF_SCALE, dGain)
                .bind(Args.DIFF_SHIFT, dBias).execute();
    }

    private void prepare(long n) {
        if (n == rows) {
            return;
        }
        close();
        View data = View.dense(n, dim);
        forward = Kernels.layerNormTraining(data, (float) eps);
        backward = Kernels.layerNormBackward(data, (float) eps);
        input = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, dim}, 'c');
        output = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, dim}, 'c');
        mean = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n}, 'c');
        variance = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n}, 'c');
        rows = n;
        forwardDone = false;
    }

    @Override
    public void close() {
        if (forward != null) {
            forward.close();
            backward.close();
            forward = null;
            backward = null;
        }
        rows = -1;
    }
}
