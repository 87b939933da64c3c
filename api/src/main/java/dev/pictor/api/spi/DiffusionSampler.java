package dev.pictor.api.spi;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A diffusion sampler, written as an update rule in the noise-level form of Karras et al. (2022): the state is
 * x = x₀ + σ·ε, and one step moves it from σ_i to σ_{i+1} using the denoised estimate x̂₀ = D(x, σ) — the
 * form in which DDPM, DDIM, Euler, Heun and DPM-Solver++ are each a few lines, and in which every denoiser
 * (ε, v or x₀ prediction) looks the same. The guidance loop supplies D (already guided) and everything else.
 *
 * <p>Like diffusers' {@code scheduler.step}, a sampler is interchangeable under one loop: it chooses the noise
 * levels ({@link #trajectory}) and makes a {@link Stepper} per run that holds whatever the method keeps between
 * steps (DPM-Solver++ 2M's previous estimate).
 *
 * <pre>{@code
 * Trajectory tr = sampler.trajectory(unet.schedule(), 20);
 * DiffusionSampler.Stepper step = sampler.stepper(tr, GaussianNoise.forSeeds(7, 1));
 * for (int i = 0; i < tr.steps(); i++) {
 *     x = step.step(i, x, denoise);
 * }
 * }</pre>
 */
public non-sealed interface DiffusionSampler extends Sampler {

    /** The denoised estimate x̂₀ for a state at noise level σ; a new array owned by the caller. */
    @FunctionalInterface
    interface Denoise {
        INDArray at(INDArray x, double sigma);
    }

    /** One run's update rule and memory. */
    interface Stepper {
        /**
         * From σ_i to σ_{i+1}: returns the new state (a new array; {@code x} is not modified). Ancestral methods
         * draw fresh noise from the run's {@link GaussianNoise}.
         */
        INDArray step(int i, INDArray x, Denoise denoise);
    }

    /** The noise levels of a run of {@code steps} steps on the model's schedule (steps within [1, T]). */
    Trajectory trajectory(NoiseSchedule schedule, int steps);

    /** A fresh stepper for one run along {@code trajectory}. */
    Stepper stepper(Trajectory trajectory, GaussianNoise noise);

    /** Whether the method adds fresh noise at each step (DDPM, Euler ancestral, DDIM with η &gt; 0). */
    boolean stochastic();
}
