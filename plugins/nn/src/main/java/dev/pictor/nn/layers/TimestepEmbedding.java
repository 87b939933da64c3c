package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sinusoidal embedding of diffusion timesteps ({@code [N]} → {@code [N, dim]}): frequencies
 * {@code exp(-ln(maxPeriod) · i / (dim/2 − shift))}, cosines first when {@code flipSinToCos} (the Stable
 * Diffusion UNet uses flip = true, shift = 0; DDPM's original, flip = false, shift = 1). No parameters.
 *
 * <pre>{@code
 * SDVariable e = new TimestepEmbedding(320, true, 0, 10000).apply(g, t);
 * }</pre>
 *
 * @param dim          even output width
 * @param flipSinToCos put the cosines first
 * @param shift        downscale_freq_shift
 * @param maxPeriod    longest period
 */
public record TimestepEmbedding(int dim, boolean flipSinToCos, double shift, double maxPeriod) {
    public TimestepEmbedding {
        if (dim % 2 != 0) {
            throw new IllegalArgumentException("timestep embedding width must be even, got " + dim);
        }
    }

    /** The {@code dim / 2} frequencies. */
    public double[] frequencies() {
        int half = dim / 2;
        double[] freqs = new double[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = Math.exp(-Math.log(maxPeriod) * i / (half - shift));
        }
        return freqs;
    }

    /**
     * The embedding computed on the host, as the float32 graph computes it (frequencies and products in float32):
     * row b of {@code out} ({@code [N, dim]}, row-major) for {@code timesteps[b]}. For inference engines.
     */
    public void embed(float[] timesteps, float[] out) {
        int half = dim / 2;
        double[] freqs = frequencies();
        for (int b = 0; b < timesteps.length; b++) {
            for (int i = 0; i < half; i++) {
                float arg = timesteps[b] * (float) freqs[i];
                float cos = (float) Math.cos(arg);
                float sin = (float) Math.sin(arg);
                out[b * dim + i] = flipSinToCos ? cos : sin;
                out[b * dim + half + i] = flipSinToCos ? sin : cos;
            }
        }
    }

    public SDVariable apply(Graph g, SDVariable timesteps) {
        var sd = g.sameDiff();
        int half = dim / 2;
        double[] freqs = frequencies();
        SDVariable f = sd.constant(Nd4j.createFromArray(freqs).castTo(g.dtype()).reshape(1, half));
        SDVariable args = timesteps.castTo(g.dtype()).reshape(-1, 1).mul(f);
        SDVariable sin = sd.math().sin(args);
        SDVariable cos = sd.math().cos(args);
        return flipSinToCos ? sd.concat(1, cos, sin) : sd.concat(1, sin, cos);
    }
}
