package dev.pictor.api.diffusion;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Condition;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One run of the {@link GuidanceLoop}: how many samples, from which seed, in how many steps, guided how strongly
 * by which conditions, and optionally from which starting latents (img2img) and with which region kept
 * (inpainting). Built with {@link #builder(int)}; every setting is checked here, with one line naming it.
 *
 * <pre>{@code
 * DiffusionRequest r = DiffusionRequest.builder(4)          // four samples, seeds 7..10
 *         .seed(7).steps(20).guidance(4.0).guidanceRescale(0.7)
 *         .condition(Condition.of(prompt)).negative(Condition.of(empty))
 *         .build();
 * }</pre>
 *
 * @param batch     number of samples; sample b draws its noise from seed {@code seed + b} alone
 * @param seed      the seed of the first sample
 * @param steps     steps of the full trajectory (img2img runs the last {@code steps × strength} of them)
 * @param guidance  classifier-free guidance scale g ≥ 0: x̂ = x̂_neg + g·(x̂_cond − x̂_neg); 1 is the
 *                  conditional model alone (one network call a step), 0 the negative branch alone
 * @param guidanceRescale φ in [0, 1]: the guided prediction's per-sample standard deviation pulled back toward the
 *                  conditional prediction's, x̂ ← φ·x̂·σ_cond/σ_x̂ + (1 − φ)·x̂ (Lin et al. 2023, "Common Diffusion
 *                  Noise Schedules and Sample Steps are Flawed", §3.4; diffusers' {@code guidance_rescale}); 0 is
 *                  plain classifier-free guidance. Strong guidance inflates the prediction's scale (objects drawn
 *                  too large, colours too saturated); rescaling keeps the guided direction at the conditional
 *                  model's scale
 * @param condition the prompt's condition (1 or {@code batch} rows, or none)
 * @param negative  the unconditional / negative-prompt branch (1 or {@code batch} rows, or none)
 * @param init      starting samples {@code [batch, …]} for img2img, or null to start from pure noise
 * @param strength  how much of the trajectory img2img runs, in [0, 1]: 0 returns {@code init} unchanged, 1
 *                  starts from noise at the top noise level (with {@code init} underneath)
 * @param mask      inpainting mask, 1 where samples are generated and 0 where {@code known} is kept;
 *                  {@code [batch or 1, channels or 1, …]}, values 0 or 1; or null
 * @param known     the samples kept where the mask is 0 (defaults to {@code init}); needed with a mask
 * @param noise     the starting noise ε {@code [batch, …]} to use instead of drawing it from the seeds, or null
 *                  (later draws of stochastic samplers still come from the seeds)
 */
public record DiffusionRequest(int batch, long seed, int steps, double guidance, double guidanceRescale,
        Condition condition, Condition negative, INDArray init, double strength, INDArray mask, INDArray known, INDArray noise) {

    public DiffusionRequest {
        if (batch < 1) {
            throw new BadInputException("the batch must hold at least one sample, got " + batch);
        }
        if (steps < 1) {
            throw new BadInputException("steps must be at least 1, got " + steps);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new BadInputException("guidance must be a number >= 0 (1 = no guidance), got " + guidance);
        }
        if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) {
            throw new BadInputException("guidance rescale must lie in [0, 1] (0 = plain guidance; 0.7 is usual), got "
                    + guidanceRescale);
        }
        if (!(strength >= 0 && strength <= 1)) {
            throw new BadInputException("strength must lie in [0, 1] (0 keeps the input, 1 redraws it), got "
                    + strength);
        }
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(negative, "negative");
        checkRows("condition", condition.rows(), batch);
        checkRows("negative condition", negative.rows(), batch);
        if (strength < 1 && init == null) {
            throw new BadInputException("strength below 1 needs an initial image (img2img): give one, or leave"
                    + " strength at 1");
        }
        if (init != null && init.size(0) != batch) {
            throw new BadInputException("the initial samples have " + init.size(0) + " rows for a batch of " + batch);
        }
        if (noise != null && noise.size(0) != batch) {
            throw new BadInputException("the starting noise has " + noise.size(0) + " rows for a batch of " + batch);
        }
        if (mask != null) {
            if (known == null) {
                known = init;
            }
            if (known == null) {
                throw new BadInputException("a mask needs the samples to keep where it is 0: give an initial image");
            }
            if (known.size(0) != batch) {
                throw new BadInputException("the kept samples have " + known.size(0) + " rows for a batch of "
                        + batch);
            }
            checkBinary(mask);
        }
    }

    private static void checkRows(String what, long rows, int batch) {
        if (rows != 0 && rows != 1 && rows != batch) {
            throw new BadInputException("the " + what + " has " + rows + " rows: give 1 or " + batch);
        }
    }

    private static void checkBinary(INDArray mask) {
        double[] v = mask.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 1) {
                throw new BadInputException("the mask must be binary (0 keeps, 1 regenerates); element " + i + " is "
                        + v[i]);
            }
        }
    }

    /**
     * A builder for {@code batch} samples: seed 0, 50 steps, guidance 1 without rescale, unconditional, from pure
     * noise.
     */
    public static Builder builder(int batch) {
        return new Builder(batch);
    }

    /** Optional settings of a {@link DiffusionRequest}. */
    public static final class Builder {
        private final int batch;
        private long seed;
        private int steps = 50;
        private double guidance = 1;
        private double guidanceRescale;
        private Condition condition = Condition.none();
        private Condition negative = Condition.none();
        private INDArray init;
        private double strength = 1;
        private INDArray mask;
        private INDArray known;
        private INDArray noise;

        private Builder(int batch) {
            this.batch = batch;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder guidance(double guidance) {
            this.guidance = guidance;
            return this;
        }

        /** Rescales the guided prediction toward the conditional one's standard deviation, φ in [0, 1]. */
        public Builder guidanceRescale(double guidanceRescale) {
            this.guidanceRescale = guidanceRescale;
            return this;
        }

        public Builder condition(Condition condition) {
            this.condition = condition;
            return this;
        }

        public Builder negative(Condition negative) {
            this.negative = negative;
            return this;
        }

        /** img2img: start from these samples, running the last {@code strength} of the trajectory. */
        public Builder init(INDArray init, double strength) {
            this.init = init;
            this.strength = strength;
            return this;
        }

        /** Inpainting: regenerate where {@code mask} is 1, keep {@code known} where it is 0. */
        public Builder inpaint(INDArray mask, INDArray known) {
            this.mask = mask;
            this.known = known;
            return this;
        }

        /** Starts from this noise ε instead of drawing it (to reproduce another tool's run, or to vary a prompt). */
        public Builder noise(INDArray noise) {
            this.noise = noise;
            return this;
        }

        public DiffusionRequest build() {
            return new DiffusionRequest(batch, seed, steps, guidance, guidanceRescale, condition, negative, init,
                    strength, mask, known, noise);
        }
    }

    /** Steps actually run: all of them from noise, {@code floor(steps × strength)} from an initial sample. */
    public int stepsRun() {
        return init == null ? steps : (int) Math.floor(steps * strength + 1e-9);
    }
}
