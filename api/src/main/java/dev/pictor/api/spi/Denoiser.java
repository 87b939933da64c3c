package dev.pictor.api.spi;

/**
 * The network a sampler calls step after step. Two kinds, as different as their samplers:
 * <ul>
 *   <li>{@link DiffusionDenoiser}: predicts ε, v or x₀ for a noisy state at a (fractional) timestep of its
 *       {@link dev.pictor.api.diffusion.NoiseSchedule} — a UNet;</li>
 *   <li>{@link AutoregressiveDenoiser}: next-token logits, through a {@link DecodingSession} that owns its
 *       key/value cache — the DALL·E transformer.</li>
 * </ul>
 * A plugin implements one of the two; the pipeline picks the matching loop.
 *
 * <pre>{@code
 * if (pipeline.denoiser() instanceof DiffusionDenoiser unet) { … }
 * }</pre>
 */
public sealed interface Denoiser extends Component permits DiffusionDenoiser, AutoregressiveDenoiser {
}
