package dev.pictor.api.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Image &#8644; latent. Two clearly distinct kinds:
 * <ul>
 *   <li>{@link DiscreteQuantizer}: images to a grid of code ids over a codebook (the dVAE), whose tokens an
 *       autoregressive model predicts;</li>
 *   <li>{@link ContinuousQuantizer}: images to continuous latents with a posterior and a scaling factor (the KL
 *       autoencoder), in which a diffusion model works.</li>
 * </ul>
 *
 * <p><b>Contract.</b> Images are {@code [batch, channels, height, width]} FLOAT in {@code [-1, 1]}; results are new
 * arrays owned by the caller; inputs stay the caller's. An image of the wrong size is a {@code BadInputException}
 * naming the size expected.
 *
 * <p><b>Threads.</b> Safe to call from one thread at a time unless the implementation says more.
 *
 * <pre>{@code
 * if (pipeline.quantizer() instanceof ContinuousQuantizer vae) { images = vae.decode(latents); }
 * }</pre>
 */
public sealed interface Quantizer extends Component permits DiscreteQuantizer, ContinuousQuantizer {

    /** The latent shape (without batch) for an image of the given {@code [channels, height, width]}. */
    long[] latentShape(long[] imageShape);

    /** Channels of the images it encodes and decodes: 3 (RGB) unless the model is grey (1). */
    default int imageChannels() {
        return 3;
    }

    /** Latents (code ids, or scaled continuous latents) to an image batch. */
    INDArray decode(INDArray latents);
}
