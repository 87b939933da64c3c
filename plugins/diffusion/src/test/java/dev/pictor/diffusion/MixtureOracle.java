package dev.pictor.diffusion;

import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact denoiser for data whose every element is drawn independently from a Gaussian mixture
 * Σ_k π_k·N(μ_k, s_k²): for x = x₀ + σ·ε, E[x₀ | x] = Σ_k w_k·(μ_k + s_k²/(s_k² + σ²)·(x − μ_k)) with
 * w_k ∝ π_k·N(x; μ_k, s_k² + σ²). Reports that as ε, v or x₀ the way a trained network would, from the
 * variance-preserving input at a (fractional) timestep — so a sampler driven by it must reproduce the mixture.
 *
 * <p>Conditional use: with a condition, row b's context {@code [b, 0, 0]} shifts every component's mean, so
 * guided and unguided runs differ in a known way.
 */
final class MixtureOracle implements DiffusionDenoiser {
    final double[] weights;
    final double[] means;
    final double[] stds;
    private final NoiseSchedule schedule;
    private final Prediction prediction;
    private final long[] sampleShape;
    int calls;
    long rowsSeen;

    MixtureOracle(double[] weights, double[] means, double[] stds, NoiseSchedule schedule, Prediction prediction,
            long... sampleShape) {
        this.weights = weights;
        this.means = means;
        this.stds = stds;
        this.schedule = schedule;
        this.prediction = prediction;
        this.sampleShape = sampleShape;
    }

    static MixtureOracle gaussian(double mean, double std, NoiseSchedule schedule) {
        return new MixtureOracle(new double[] {1}, new double[] {mean}, new double[] {std}, schedule,
                Prediction.EPSILON, 1, 32, 32);
    }

    static MixtureOracle twoModes(NoiseSchedule schedule) {
        return new MixtureOracle(new double[] {0.3, 0.7}, new double[] {-1, 1}, new double[] {0.25, 0.25}, schedule,
                Prediction.EPSILON, 1, 32, 32);
    }

    MixtureOracle predicting(Prediction p) {
        return new MixtureOracle(weights, means, stds, schedule, p, sampleShape);
    }

    @Override
    public String name() {
        return "mixture-oracle";
    }

    @Override
    public Prediction prediction() {
        return prediction;
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public INDArray predict(INDArray x, INDArray timesteps, Condition condition) {
        calls++;
        rowsSeen += x.size(0);
        long rows = x.size(0);
        int per = (int) (x.length() / rows);
        double[] in = x.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        float[] out = new float[in.length];
        for (int b = 0; b < rows; b++) {
            double sigma = schedule.sigmaAt(timesteps.getDouble(b));
            double abar = NoiseSchedule.alphaBarOf(sigma);
            double shift = condition.isNone() ? 0 : condition.context().getDouble(b, 0, 0);
            for (int i = b * per; i < (b + 1) * per; i++) {
                double xe = in[i] / Math.sqrt(abar);
                double d = posteriorMean(xe, sigma, shift);
                double eps = (xe - d) / sigma;
                out[i] = (float) switch (prediction) {
                    case EPSILON -> eps;
                    case X0 -> d;
                    case V -> Math.sqrt(abar) * eps - Math.sqrt(1 - abar) * d;
                };
            }
        }
        return Nd4j.create(out, x.shape(), 'c');
    }

    /** E[x₀ | x₀ + σ·ε = x]. */
    double posteriorMean(double x, double sigma, double shift) {
        double[] logw = new double[weights.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < weights.length; k++) {
            double v = stds[k] * stds[k] + sigma * sigma;
            double z = x - means[k] - shift;
            logw[k] = Math.log(weights[k]) - 0.5 * Math.log(v) - z * z / (2 * v);
            max = Math.max(max, logw[k]);
        }
        double norm = 0;
        double mean = 0;
        for (int k = 0; k < weights.length; k++) {
            double w = Math.exp(logw[k] - max);
            double v = stds[k] * stds[k];
            norm += w;
            mean += w * (means[k] + shift + v / (v + sigma * sigma) * (x - means[k] - shift));
        }
        return mean / norm;
    }

    /** An exact draw of n elements from the data distribution. */
    double[] draw(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            int k = 0;
            while (k < weights.length - 1 && u >= weights[k]) {
                u -= weights[k];
                k++;
            }
            out[i] = means[k] + stds[k] * dev.pictor.api.run.Seeds.gaussian(r);
        }
        return out;
    }

    /** The 1-D Wasserstein-1 distance of two equally large samples: the mean gap of their sorted values. */
    static double wasserstein(double[] a, double[] b) {
        double[] x = a.clone();
        double[] y = b.clone();
        java.util.Arrays.sort(x);
        java.util.Arrays.sort(y);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs(x[i] - y[i]);
        }
        return sum / x.length;
    }
}
