package dev.pictor.api.spi;

/**
 * How a sample is drawn from a {@link Denoiser}. Two kinds, matching the denoiser's:
 * <ul>
 *   <li>{@link DiffusionSampler}: a stepper (DDPM, DDIM, Euler, Heun, DPM-Solver++ …) that the one guidance
 *       loop ({@link dev.pictor.api.diffusion.GuidanceLoop}) drives — the loop owns guidance, progress,
 *       cancellation, NaN checks, img2img and inpainting, so a stepper is only its update rule;</li>
 *   <li>{@link TokenSampler}: chooses the next token from logits (temperature, top-k, top-p) for the
 *       autoregressive loop.</li>
 * </ul>
 * A sampler keeps no state between runs: one instance may serve several threads.
 *
 * <pre>{@code
 * DiffusionSampler ddim = (DiffusionSampler) pipeline.sampler();
 * }</pre>
 */
public sealed interface Sampler extends Component permits DiffusionSampler, TokenSampler {
}
