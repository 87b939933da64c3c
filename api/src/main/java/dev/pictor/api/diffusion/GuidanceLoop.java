package dev.pictor.api.diffusion;

import dev.pictor.api.PictorException;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser;
import dev.pictor.api.spi.DiffusionSampler;
import java.util.Arrays;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The one sampling loop every diffusion pipeline runs: it wraps a {@link DiffusionDenoiser} into the denoised
 * estimate D(x, σ) that samplers step with, applies classifier-free guidance, and owns progress, cancellation,
 * previews, NaN checks, img2img and inpainting — so a {@link DiffusionSampler} is only its update rule.
 *
 * <p><b>The state</b> is kept in the noise-level form x = x₀ + σ·ε. The network sees the variance-preserving
 * x/√(1 + σ²) at the timestep of σ, and its ε, v or x₀ prediction becomes x̂₀. <b>Guidance</b> mixes the two
 * branches' predictions, x̂ = x̂_neg + g·(x̂_cond − x̂_neg), computed in one batched network call (two calls
 * only when the branches' contexts cannot be stacked); since x̂₀ is affine in ε and v, guiding the raw
 * predictions is the same as guiding ε (Ho &amp; Salimans 2022). With g = 1 only the conditional branch is
 * evaluated, so the result equals an unguided run exactly.
 *
 * <p><b>img2img</b> starts at σ_k = the level {@code steps × strength} steps before the end, from
 * {@code init + σ_k·ε}. <b>Inpainting</b> re-imposes the kept samples, noised with the run's initial ε to the
 * current level, after every step; at the final σ = 0 they are returned exactly.
 *
 * <pre>{@code
 * INDArray x0 = GuidanceLoop.run(unet, sampler,
 *         DiffusionRequest.builder(1).seed(7).steps(20).guidance(4).condition(c).negative(u).build(),
 *         SamplingHooks.none());
 * }</pre>
 */
public final class GuidanceLoop {
    private GuidanceLoop() {
    }

    /**
     * Samples a batch.
     *
     * @return the samples x₀, {@code [batch, …sampleShape]}, a new array
     * @throws dev.pictor.api.run.CancelledException when cancelled between steps
     * @throws PictorException                         when a step produces NaN or infinite values
     */
    public static INDArray run(DiffusionDenoiser model, DiffusionSampler sampler, DiffusionRequest request,
            SamplingHooks hooks) {
        long[] shape = shape(model, request);
        int stepsRun = request.stepsRun();
        if (stepsRun == 0) {
            hooks.cancellation().throwIfCancelled();
            return request.init().dup();
        }
        Trajectory trajectory = sampler.trajectory(model.schedule(), request.steps()).tail(stepsRun);
        GaussianNoise noise = GaussianNoise.forSeeds(request.seed(), request.batch());
        INDArray drawn = noise.next(shape);   // drawn even when given, so later draws do not depend on it
        INDArray eps = request.noise() == null ? drawn : request.noise().castTo(drawn.dataType());
        if (!Arrays.equals(eps.shape(), shape)) {
            throw new dev.pictor.api.BadInputException("the starting noise is " + Arrays.toString(eps.shape())
                    + " but the samples are " + Arrays.toString(shape));
        }
        double top = trajectory.sigma(0);
        INDArray x = request.init() == null ? eps.mul(top) : request.init().castTo(eps.dataType()).add(eps.mul(top));
        INDArray mask = request.mask() == null ? null : request.mask().castTo(x.dataType());
        INDArray known = request.known() == null ? null : request.known().castTo(x.dataType());

        Guided denoise = new Guided(model, request, trajectory);
        DiffusionSampler.Stepper stepper = sampler.stepper(trajectory, noise);
        int n = trajectory.steps();
        for (int i = 0; i < n; i++) {
            hooks.cancellation().throwIfCancelled();
            x = stepper.step(i, x, denoise);
            double next = trajectory.sigma(i + 1);
            if (mask != null) {
                INDArray keep = next == 0 ? known : known.add(eps.mul(next));
                x = x.mul(mask).addi(keep.mul(mask.rsub(1)));
            }
            checkFinite(x, i, n, trajectory.sigma(i));
            hooks.progress().onProgress("sampling", i + 1, n);
            hooks.preview().onStep(i + 1, n, denoise.lastSigma, denoise.last);
        }
        return x;
    }

    private static long[] shape(DiffusionDenoiser model, DiffusionRequest request) {
        long[] sample = model.sampleShape();
        long[] shape = new long[sample.length + 1];
        shape[0] = request.batch();
        System.arraycopy(sample, 0, shape, 1, sample.length);
        for (INDArray given : new INDArray[] {request.init(), request.known()}) {
            if (given != null && !Arrays.equals(given.shape(), shape)) {
                throw new dev.pictor.api.BadInputException("the initial samples are " + Arrays.toString(given.shape())
                        + " but denoiser '" + model.name() + "' works on " + Arrays.toString(shape));
            }
        }
        INDArray mask = request.mask();
        if (mask != null) {
            boolean fits = mask.rank() == shape.length;
            for (int d = 0; fits && d < shape.length; d++) {
                fits = mask.size(d) == shape[d] || (d < 2 && mask.size(d) == 1);
            }
            if (!fits) {
                throw new dev.pictor.api.BadInputException("the mask is " + Arrays.toString(mask.shape())
                        + " but the samples are " + Arrays.toString(shape) + ": give a mask of the same size");
            }
        }
        return shape;
    }

    private static void checkFinite(INDArray x, int i, int n, double sigma) {
        double sum = x.sumNumber().doubleValue();
        if (!Double.isFinite(sum)) {
            throw new PictorException("step " + (i + 1) + " of " + n + " (noise level " + String.format(
                    java.util.Locale.ROOT, "%.4g", sigma) + ") produced NaN or infinite values: the denoiser"
                    + " diverged; try a lower guidance, another sampler or more steps");
        }
    }

    /**
     * Guidance rescale: each sample of the guided prediction {@code guided} scaled so that its standard deviation
     * moves a share {@code phi} of the way to that of the conditional prediction {@code cond} (in place; returns
     * {@code guided}). {@code phi = 0} leaves it as it is.
     */
    static INDArray rescaled(INDArray guided, INDArray cond, double phi) {
        if (phi == 0) {
            return guided;
        }
        long batch = guided.size(0);
        INDArray rows = guided.reshape(batch, -1);
        double[] sg = rows.std(1).castTo(DataType.DOUBLE).toDoubleVector();
        double[] sc = cond.reshape(batch, -1).std(1).castTo(DataType.DOUBLE).toDoubleVector();
        double[] factor = new double[(int) batch];
        for (int b = 0; b < batch; b++) {
            factor[b] = sg[b] > 0 ? phi * sc[b] / sg[b] + (1 - phi) : 1;
        }
        rows.muliColumnVector(Nd4j.createFromArray(factor).castTo(guided.dataType()).reshape(batch, 1));
        return guided;
    }

    /** D(x, σ) with guidance: the network's prediction turned into x̂₀. */
    private static final class Guided implements DiffusionSampler.Denoise {
        private final DiffusionDenoiser model;
        private final NoiseSchedule schedule;
        private final Trajectory trajectory;
        private final double guidance;
        private final double rescale;
        private final Condition condition;
        private final Condition negative;
        private final Optional<Condition> stacked;
        private INDArray last;
        private double lastSigma;

        Guided(DiffusionDenoiser model, DiffusionRequest r, Trajectory trajectory) {
            this.model = model;
            this.schedule = model.schedule();
            this.trajectory = trajectory;
            this.guidance = r.guidance();
            this.rescale = r.guidanceRescale();
            this.condition = r.condition().forBatch(r.batch());
            this.negative = r.negative().forBatch(r.batch());
            boolean guided = guidance != 1 && guidance != 0 && !(condition.isNone() && negative.isNone());
            this.stacked = guided ? Condition.stack(condition, negative) : Optional.empty();
        }

        @Override
        public INDArray at(INDArray x, double sigma) {
            double t = timestep(sigma);
            INDArray input = x.mul(1 / Math.sqrt(1 + sigma * sigma));
            long batch = x.size(0);
            INDArray prediction;
            if (guidance == 1 || (condition.isNone() && negative.isNone())) {
                prediction = model.predict(input, times(t, batch), condition);
            } else if (guidance == 0) {
                prediction = model.predict(input, times(t, batch), negative);
            } else if (stacked.isPresent()) {
                INDArray both = model.predict(Nd4j.concat(0, input, input), times(t, 2 * batch), stacked.get());
                INDArray cond = both.get(NDArrayIndex.interval(0, batch));
                INDArray neg = both.get(NDArrayIndex.interval(batch, 2 * batch));
                prediction = guided(cond, neg);
            } else {
                prediction = guided(model.predict(input, times(t, batch), condition),
                        model.predict(input, times(t, batch), negative));
            }
            last = denoised(prediction, x, input, sigma);
            lastSigma = sigma;
            return last;
        }

        /** x̂_neg + g·(x̂_cond − x̂_neg) in one new array, then rescaled toward x̂_cond's scale. */
        private INDArray guided(INDArray cond, INDArray neg) {
            return rescaled(cond.sub(neg).muli(guidance).addi(neg), cond, rescale);
        }

        private INDArray denoised(INDArray prediction, INDArray x, INDArray input, double sigma) {
            return switch (model.prediction()) {
                case EPSILON -> x.sub(prediction.mul(sigma));
                case X0 -> prediction;
                case V -> {
                    double abar = NoiseSchedule.alphaBarOf(sigma);
                    yield input.mul(Math.sqrt(abar)).subi(prediction.mul(Math.sqrt(1 - abar)));
                }
            };
        }

        private double timestep(double sigma) {
            double[] s = trajectory.sigmas();
            for (int i = 0; i < trajectory.steps(); i++) {
                if (s[i] == sigma) {
                    return trajectory.timestep(i);
                }
            }
            return schedule.timestep(sigma);
        }

        private static INDArray times(double t, long batch) {
            float[] v = new float[(int) batch];
            Arrays.fill(v, (float) t);
            return Nd4j.createFromArray(v);
        }
    }
}
