package dev.pictor.nn.fused;

import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.PostOps;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GroupNorm over {@code [N, C, H, W]} (channels-first: each image's group is one contiguous run of
 * {@code C/G · H · W} values), optionally followed by SiLU, trained as one forward and one backward pass. As a graph
 * of ND4J ops (reshape, mean, centre, variance, rsqrt, broadcast multiplies and adds, sigmoid and product for the
 * SiLU, each with its backward) the 46 GroupNorms of a small UNet cost ~400 ms of a 1 s training step; these loops
 * cost a few percent of that. The forward keeps the normalised values and each group's 1/σ for the backward.
 * PyTorch's {@code GroupNorm} (biased variance) then {@code F.silu}. The SiLU and its derivative run on oneDNN's
 * eltwise kernels (vectorised exponentials, every thread): in these loops {@code Math.exp} took most of the time.
 * Not thread-safe.
 *
 * <pre>{@code
 * var gn = new GroupNormTraining(32, 128, 1e-5, true);
 * INDArray y = gn.forward(x, gain, bias);            // SiLU(GroupNorm(x)), x [N, 128, H, W]
 * gn.backward(dy, gain, dx, dGain, dBias);
 * }</pre>
 */
public final class GroupNormTraining implements FusedKernels {
    private final int groups;
    private final long channels;
    private final double eps;
    private final boolean silu;
    private long elements = -1;
    private INDArray normed;     // x̂, as x
    private INDArray affine;     // γ x̂ + β, the SiLU's input (with SiLU only)
    private INDArray output;
    private INDArray gradAffine; // the SiLU's input gradient (with SiLU only)
    private Primitive siluForward;
    private Primitive siluBackward;
    private float[] inverse = new float[0];     // 1/σ per (image, group)
    private float[] row = new float[0];
    private float[] hat = new float[0];
    private boolean forwardDone;

    public GroupNormTraining(int groups, long channels, double eps, boolean silu) {
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(groups + " groups do not divide " + channels + " channels");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.silu = silu;
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("groups", groups);
        p.put("channels", channels);
        p.put("eps", eps);
        p.put("silu", silu ? 1 : 0);
        return p;
    }

    static GroupNormTraining fromProperties(Map<String, Object> p) {
        return new GroupNormTraining(FusedOps.number(p, "groups").intValue(), FusedOps.number(p, "channels")
                .longValue(), FusedOps.number(p, "eps").doubleValue(), FusedOps.number(p, "silu").intValue() != 0);
    }

    /** {@code (SiLU)(GroupNorm(x))} of {@code x [N, C, …]}; returns an array of this object's, shaped as x. */
    public INDArray forward(INDArray x, INDArray gain, INDArray bias) {
        if (x.dataType() != DataType.FLOAT || x.rank() < 2 || x.size(1) != channels) {
            throw new IllegalArgumentException("GroupNorm over " + channels + " channels needs float32 [N, "
                    + channels + ", …], got " + x.dataType() + " " + java.util.Arrays.toString(x.shape()));
        }
        int n = (int) x.size(0);
        int len = rowLength(x);
        prepare(x.length(), n, len);
        int spatial = len / (int) (channels / groups);
        FloatBuffer in = Kernels.dense(x).data().asNioFloat();
        FloatBuffer hatOut = normed.data().asNioFloat();
        FloatBuffer out = (silu ? affine : output).data().asNioFloat();
        float[] g = floats(gain);
        float[] b = floats(bias);
        int perGroup = (int) (channels / groups);
        for (int r = 0; r < n * groups; r++) {
            in.get(r * len, row, 0, len);
            double sum = 0;
            for (int i = 0; i < len; i++) {
                sum += row[i];
            }
            float mean = (float) (sum / len);
            double squares = 0;
            for (int i = 0; i < len; i++) {
                float d = row[i] - mean;
                squares += d * d;
            }
            float inv = (float) (1 / Math.sqrt(squares / len + eps));
            inverse[r] = inv;
            int c0 = (r % groups) * perGroup;
            for (int j = 0; j < perGroup; j++) {
                float gc = g[c0 + j];
                float bc = b[c0 + j];
                int from = j * spatial;
                for (int i = from; i < from + spatial; i++) {
                    float h = (row[i] - mean) * inv;
                    hat[i] = h;
                    row[i] = h * gc + bc;
                }
            }
            hatOut.put(r * len, hat, 0, len);
            out.put(r * len, row, 0, len);
        }
        if (silu) {
            siluForward.bind(Args.SRC, affine).bind(Args.DST, output).execute();
        }
        forwardDone = true;
        return output.reshape(x.shape());
    }

    /** Gradients for the last forward: writes {@code dx} (x's shape), {@code dGain} and {@code dBias} ({@code [C]}). */
    public void backward(INDArray dy, INDArray gain, INDArray dx, INDArray dGain, INDArray dBias) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        if (dy.length() != elements || dx.length() != elements) {
            throw new IllegalArgumentException("gradients must have the forward input's " + elements + " elements");
        }
        int perGroup = (int) (channels / groups);
        int images = inverse.length / groups;
        int len = (int) (elements / images / groups);
        int spatial = len / perGroup;
        float[] g = floats(gain);
        double[] gainSum = new double[(int) channels];
        double[] biasSum = new double[(int) channels];
        INDArray upstream = Kernels.dense(dy);
        if (silu) {
            siluBackward.bind(Args.SRC, affine).bind(Args.DIFF_DST, upstream).bind(Args.DIFF_SRC, gradAffine)
                    .execute();
            upstream = gradAffine;
        }
        FloatBuffer grad = upstream.data().asNioFloat();
        FloatBuffer hats = normed.data().asNioFloat();
        FloatBuffer out = dx.data().asNioFloat();
        for (int r = 0; r < images * groups; r++) {
            grad.get(r * len, row, 0, len);
            hats.get(r * len, hat, 0, len);
            int c0 = (r % groups) * perGroup;
            // dβ = Σ dy, dγ = Σ dy·x̂ per channel; dx̂ = dy·γ; dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / σ
            double meanD = 0;
            double meanDH = 0;
            for (int j = 0; j < perGroup; j++) {
                float gc = g[c0 + j];
                int from = j * spatial;
                float sb = 0;
                float sg = 0;
                for (int i = from; i < from + spatial; i++) {
                    float d = row[i];
                    sb += d;
                    sg += d * hat[i];
                }
                biasSum[c0 + j] += sb;
                gainSum[c0 + j] += sg;
                meanD += sb * gc;
                meanDH += sg * gc;
            }
            float md = (float) (meanD / len);
            float mdh = (float) (meanDH / len);
            float inv = inverse[r];
            for (int j = 0; j < perGroup; j++) {
                float gc = g[c0 + j];
                int from = j * spatial;
                for (int i = from; i < from + spatial; i++) {
                    row[i] = (row[i] * gc - md - hat[i] * mdh) * inv;
                }
            }
            out.put(r * len, row, 0, len);
        }
        float[] dg = new float[(int) channels];
        float[] db = new float[(int) channels];
        for (int c = 0; c < channels; c++) {
            dg[c] = (float) gainSum[c];
            db[c] = (float) biasSum[c];
        }
        dGain.data().asNioFloat().put(0, dg);
        dBias.data().asNioFloat().put(0, db);
    }

    private int rowLength(INDArray x) {
        long len = x.length() / x.size(0) / groups;
        if (len * groups * x.size(0) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GroupNorm input of " + x.length() + " values is too large");
        }
        return (int) len;
    }

    private void prepare(long length, int images, int len) {
        if (length != elements || inverse.length != images * groups) {
            normed = Nd4j.createUninitialized(DataType.FLOAT, length);
            output = Nd4j.createUninitialized(DataType.FLOAT, length);
            if (silu) {
                affine = Nd4j.createUninitialized(DataType.FLOAT, length);
                gradAffine = Nd4j.createUninitialized(DataType.FLOAT, length);
                if (siluForward != null) {
                    siluForward.close();
                    siluBackward.close();
                }
                siluForward = Kernels.eltwise(View.dense(length), PostOps.Eltwise.SILU);
                siluBackward = Kernels.eltwiseBackward(View.dense(length), PostOps.Eltwise.SILU);
            }
            inverse = new float[images * groups];
            elements = length;
        }
        if (row.length < len) {
            row = new float[len];
            hat = new float[len];
        }
        forwardDone = false;
    }

    private static float[] floats(INDArray v) {
        return v.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
