package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP's image preprocessing, on tensors: images of another size are resized so their shorter side is the model's
 * (bicubic, antialiased when shrinking — PIL's filter, which OpenAI's {@code Resize(..., BICUBIC)} uses), the
 * centre square is cut out, and the pixels are normalised with OpenAI's per-channel mean and deviation. Images
 * already at the model's size are only normalised. Input is Pictor's image tensor, {@code [N, 3, H, W]} in
 * [-1, 1] ({@link dev.pictor.api.image.Images#toTensor}).
 *
 * <pre>{@code
 * INDArray pixels = ClipImages.prepare(Images.toTensor(png).reshape(1, 3, h, w), 224);   // [1, 3, 224, 224]
 * }</pre>
 */
public final class ClipImages {
    /** OpenAI's normalisation (the statistics of its training images), used by every CLIP here. */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private ClipImages() {
    }

    /** Resized (if needed), centre-cropped and normalised images {@code [N, 3, size, size]}, a new array. */
    public static INDArray prepare(INDArray images, int size) {
        if (images.rank() != 4 || images.size(1) != 3) {
            throw new BadInputException("expected RGB images [batch, 3, height, width], got "
                    + java.util.Arrays.toString(images.shape()));
        }
        int n = (int) images.size(0);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        float[] src = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out;
        if (h == size && w == size) {
            out = src;
        } else {
            // shorter side to `size`, the other in proportion (rounded as torchvision does), then the centre square
            int nh = h <= w ? size : (int) ((long) size * h / w);
            int nw = h <= w ? (int) ((long) size * w / h) : size;
            int top = Math.round((nh - size) / 2f);
            int left = Math.round((nw - size) / 2f);
            out = new float[n * 3 * size * size];
            float[] plane = new float[h * w];
            for (int i = 0; i < n * 3; i++) {
                System.arraycopy(src, i * h * w, plane, 0, h * w);
                float[] resized = resize(plane, h, w, nh, nw);
                for (int y = 0; y < size; y++) {
                    System.arraycopy(resized, (y + top) * nw + left, out, i * size * size + y * size, size);
                }
            }
        }
        int area = size * size;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                int base = (i * 3 + c) * area;
                for (int k = 0; k < area; k++) {
                    // [-1, 1] → [0, 1] → normalised
                    out[base + k] = ((out[base + k] + 1f) / 2f - MEAN[c]) / STD[c];
                }
            }
        }
        return Nd4j.create(out, new long[] {n, 3, size, size}, 'c');
    }

    /** Separable bicubic resampling (a = −0.5), the filter widened by the scale when shrinking (PIL's antialias). */
    static float[] resize(float[] plane, int h, int w, int nh, int nw) {
        float[] rows = new float[h * nw];
        for (int y = 0; y < h; y++) {
            resample(plane, y * w, 1, w, rows, y * nw, 1, nw);
        }
        float[] out = new float[nh * nw];
        for (int x = 0; x < nw; x++) {
            resample(rows, x, nw, h, out, x, nw, nh);
        }
        return out;
    }

    private static void resample(float[] in, int inOff, int inStride, int inLen, float[] out, int outOff,
            int outStride, int outLen) {
        double scale = (double) inLen / outLen;
        double support = 2 * Math.max(1, scale);
        double filterScale = Math.max(1, scale);
        for (int o = 0; o < outLen; o++) {
            double centre = (o + 0.5) * scale;
            int from = Math.max(0, (int) Math.floor(centre - support));
            int to = Math.min(inLen, (int) Math.ceil(centre + support));
            double sum = 0;
            double weights = 0;
            for (int i = from; i < to; i++) {
                double wgt = cubic((i + 0.5 - centre) / filterScale);
                sum += wgt * in[inOff + i * inStride];
                weights += wgt;
            }
            out[outOff + o * outStride] = (float) (weights == 0 ? 0 : sum / weights);
        }
    }

    private static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }
}
