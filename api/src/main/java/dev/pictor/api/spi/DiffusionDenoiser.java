package dev.pictor.api.spi;

import dev.pictor.api.diffusion.NoiseSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A diffusion network: given x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε (the variance-preserving form it was trained on), the
 * timestep and a condition, it predicts ε, v or x₀ as {@link #prediction()} says. Samplers never call it
 * directly: the guidance loop ({@link dev.pictor.api.diffusion.GuidanceLoop}) turns every prediction into the
 * denoised estimate x̂₀, batches the conditional and unconditional branches into one call, and hands x̂₀ to the
 * sampler's stepper.
 *
 * <p><b>Contract.</b> {@code x} is {@code [batch, …sampleShape()]} FLOAT; {@code timesteps} is {@code [batch]}
 * FLOAT, possibly fractional (Karras noise levels fall between the schedule's timesteps); the condition has
 * {@code batch} rows or is {@link Condition#none()}. The result is a new FLOAT array of x's shape owned by the
 * caller; arguments are not modified.
 *
 * <p><b>Threads.</b> Safe to call from one thread at a time unless the implementation says more.
 *
 * <pre>{@code
 * INDArray eps = unet.predict(x, Nd4j.createFromArray(999f, 999f), Condition.of(context));
 * }</pre>
 */
public non-sealed interface DiffusionDenoiser extends Denoiser {

    /** What {@link #predict} returns. */
    enum Prediction {
        /** The noise ε that was added. */
        EPSILON,
        /** v = √ᾱ·ε − √(1 − ᾱ)·x₀ (Salimans &amp; Ho 2022). */
        V,
        /** The clean sample x₀ itself. */
        X0
    }

    /** What this network predicts. */
    Prediction prediction();

    /** The forward process it was trained with (from its config). */
    NoiseSchedule schedule();

    /** One sample's shape without the batch, e.g. {@code [4, 8, 8]} latents or {@code [3, 32, 32]} pixels. */
    long[] sampleShape();

    /** One network evaluation. */
    INDArray predict(INDArray x, INDArray timesteps, Condition condition);
}
