package dev.pictor.nn.inference;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GroupNorm over channels-last activations ({@code [N, H·W, C]} storage, what oneDNN's fast convolutions read and
 * write), with an optional per-image, per-channel addend before it (a ResNet block's time embedding) fused into the
 * same pass. PyTorch's {@code GroupNorm(groups, C, eps)} (biased variance, per-channel gain and bias) to float32
 * rounding. An activation after it (SiLU) is best left to oneDNN's eltwise kernel, which vectorises the exponential
 * and uses every thread: in Java, {@code Math.exp} made up most of the time.
 *
 * <p>Why Java rather than oneDNN: oneDNN 2.5 has no group normalization, and its layer and batch normalizations
 * cannot express one over channels-last data (a group's channels are not contiguous there). An image's activations
 * are copied into a heap array once, the loops run over channels innermost (the JIT vectorises them: per-channel
 * sums, then one multiply-add per element), and written back once.
 *
 * <pre>{@code
 * GroupNormKernel norm = new GroupNormKernel(32, gain, bias, 1e-5);
 * norm.apply(h, emb, 0, c, out, batch, 64 * 64);   // out = GroupNorm(h + emb), emb [batch, c]
 * }</pre>
 *
 * Not thread-safe (it keeps scratch arrays).
 */
public final class GroupNormKernel {
    private final int groups;
    private final int channels;
    private final float[] gain;
    private final float[] bias;
    private final double eps;
    private float[] image = new float[0];
    private final float[] sum;
    private final float[] channelMean;
    private final float[] scale;
    private final float[] shift;
    private final float[] addend;
    private final float[] filmScale;
    private final float[] filmShift;

    /**
     * @param gain {@code [C]} (PyTorch's {@code weight})
     * @param bias {@code [C]}
     */
    public GroupNormKernel(int groups, INDArray gain, INDArray bias, double eps) {
        this.channels = (int) gain.length();
        if (channels % groups != 0 || bias.length() != channels) {
            throw new IllegalArgumentException(groups + " groups over gain " + channels + " and bias " + bias.length()
                    + " channels: the channels must match and divide into the groups");
        }
        this.groups = groups;
        this.gain = gain.castTo(DataType.FLOAT).dup().data().asFloat();
        this.bias = bias.castTo(DataType.FLOAT).dup().data().asFloat();
        this.eps = eps;
        sum = new float[channels];
        channelMean = new float[channels];
        scale = new float[channels];
        shift = new float[channels];
        addend = new float[channels];
        filmScale = new float[channels];
        filmShift = new float[channels];
    }

    public int channels() {
        return channels;
    }

    /**
     * Normalises {@code n} images of {@code hw} positions read from {@code src}'s buffer (channels-last, from its
     * start) into {@code dst}'s (may be the same array).
     *
     * @param add       added to every position of each image before normalising: image i's C values from element
     *                  {@code addOffset + i·addStride} of its buffer; or null
     */
    public void apply(INDArray src, INDArray add, long addOffset, long addStride, INDArray dst, int n, long hw) {
        run(src, add, addOffset, addStride, false, dst, n, hw);
    }

    /**
     * Normalises as {@link #apply}, then scales and shifts each image by its own per-channel values:
     * {@code GroupNorm(x)·(1 + scale) + shift} (a scale-shift norm, ADM's {@code use_scale_shift_norm}).
     *
     * @param film image i's C scales from element {@code offset + i·stride} of its buffer, its C shifts right after
     */
    public void applyScaleShift(INDArray src, INDArray film, long offset, long stride, INDArray dst, int n,
            long hw) {
        run(src, film, offset, stride, true, dst, n, hw);
    }

    private void run(INDArray src, INDArray add, long addOffset, long addStride, boolean film, INDArray dst, int n,
            long hw) {
        long elements = hw * channels;
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an image of " + elements + " activations is too large");
        }
        int per = film ? 2 * channels : channels;
        if (src.data().length() < n * elements || dst.data().length() < n * elements
                || add != null && add.data().length() < addOffset + (n - 1) * addStride + per) {
            throw new IllegalArgumentException("GroupNorm over " + n + " × " + hw + " × " + channels
                    + " activations: a buffer is too small");
        }
        int size = (int) elements;
        if (image.length < size) {
            image = new float[size];
        }
        FloatBuffer in = src.data().asNioFloat();
        FloatBuffer out = dst.data().asNioFloat();
        FloatBuffer adds = add == null ? null : add.data().asNioFloat();
        for (int i = 0; i < n; i++) {
            in.get((int) (i * elements), image, 0, size);
            if (adds != null && !film) {
                adds.get((int) (addOffset + i * addStride), addend, 0, channels);
                addRows(image, size, addend, channels);
            }
            if (film) {
                adds.get((int) (addOffset + i * addStride), filmScale, 0, channels);
                adds.get((int) (addOffset + i * addStride + channels), filmShift, 0, channels);
            }
            normalise(image, size, film);
            out.put((int) (i * elements), image, 0, size);
        }
    }

    private static void addRows(float[] x, int size, float[] row, int c) {
        for (int p = 0; p < size; p += c) {
            for (int j = 0; j < c; j++) {
                x[p + j] += row[j];
            }
        }
    }

    /** One image in place: per-group mean, then variance about it (two passes, as PyTorch's), then the affine. */
    private void normalise(float[] x, int size, boolean film) {
        int c = channels;
        int perGroup = c / groups;
        double count = (double) size / c * perGroup;
        channelSums(x, size, null);
        for (int g = 0; g < groups; g++) {
            double s = 0;
            for (int j = g * perGroup; j < (g + 1) * perGroup; j++) {
                s += sum[j];
            }
            float mean = (float) (s / count);
            for (int j = g * perGroup; j < (g + 1) * perGroup; j++) {
                channelMean[j] = mean;
            }
        }
        channelSums(x, size, channelMean);
        for (int g = 0; g < groups; g++) {
            double s = 0;
            for (int j = g * perGroup; j < (g + 1) * perGroup; j++) {
                s += sum[j];
            }
            double inv = 1 / Math.sqrt(s / count + eps);
            for (int j = g * perGroup; j < (g + 1) * perGroup; j++) {
                scale[j] = (float) (gain[j] * inv);
                shift[j] = bias[j] - channelMean[j] * scale[j];
                if (film) {
                    // (x·scale + shift)·(1 + s) + t, folded into the one multiply-add
                    float f = 1 + filmScale[j];
                    scale[j] *= f;
                    shift[j] = shift[j] * f + filmShift[j];
                }
            }
        }
        for (int p = 0; p < size; p += c) {
            for (int j = 0; j < c; j++) {
                x[p + j] = x[p + j] * scale[j] + shift[j];
            }
        }
    }

    /** Per channel: Σ x, or with {@code centre}, Σ (x − centre)². */
    private void channelSums(float[] x, int size, float[] centre) {
        int c = channels;
        java.util.Arrays.fill(sum, 0f);
        if (centre == null) {
            for (int p = 0; p < size; p += c) {
                for (int j = 0; j < c; j++) {
                    sum[j] += x[p + j];
                }
            }
        } else {
            for (int p = 0; p < size; p += c) {
                for (int j = 0; j < c; j++) {
                    float d = x[p + j] - centre[j];
                    sum[j] += d * d;
                }
            }
        }
    }
}
