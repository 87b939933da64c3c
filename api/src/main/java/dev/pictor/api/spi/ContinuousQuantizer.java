package dev.pictor.api.spi;

import dev.pictor.api.diffusion.GaussianNoise;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A quantizer to continuous latents (the KL autoencoder of latent diffusion). The encoder gives a diagonal
 * Gaussian {@link Posterior}; the latents a diffusion model sees are a draw from it times
 * {@link #scalingFactor()} (Stable Diffusion's 0.18215), chosen so that they have about unit variance, and
 * {@link #decode} takes latents in that same scaled space — the scaling lives here, in one place.
 *
 * <pre>{@code
 * INDArray z = vae.encode(images, GaussianNoise.forSeeds(7, 4));   // [4, 4, 8, 8], scaled
 * INDArray x = vae.decode(z);                                     // [4, 3, 32, 32]
 * }</pre>
 */
public non-sealed interface ContinuousQuantizer extends Quantizer {

    /** Channels of the latent. */
    int latentChannels();

    /** The factor between the posterior's space and the denoiser's: z_denoiser = z·factor. */
    double scalingFactor();

    /** The encoder's posterior q(z | x), unscaled. */
    Posterior posterior(INDArray images);

    /** A seeded draw from the posterior, scaled for the denoiser. */
    default INDArray encode(INDArray images, GaussianNoise noise) {
        return posterior(images).sample(noise).muli(scalingFactor());
    }

    /**
     * A diagonal Gaussian over latents: the encoder's output split into mean and log-variance (clamped to
     * [−30, 20], as the latent-diffusion code does, so the standard deviation stays finite).
     *
     * @param mean        {@code [batch, c, h, w]}
     * @param logVariance the same shape
     */
    record Posterior(INDArray mean, INDArray logVariance) {
        public Posterior {
            if (!java.util.Arrays.equals(mean.shape(), logVariance.shape())) {
                throw new IllegalArgumentException("mean and log-variance differ in shape");
            }
            logVariance = org.nd4j.linalg.ops.transforms.Transforms.max(
                    org.nd4j.linalg.ops.transforms.Transforms.min(logVariance, 20.0, true), -30.0, false);
        }

        /** mean + σ·ε with the noise's next draw. */
        public INDArray sample(GaussianNoise noise) {
            INDArray std = org.nd4j.linalg.ops.transforms.Transforms.exp(logVariance.mul(0.5), false);
            return mean.add(noise.next(mean.shape()).muli(std));
        }

        /** The most likely latent, the mean. */
        public INDArray mode() {
            return mean.dup();
        }

        /** KL(q ‖ N(0, I)) per sample, summed over the latent: 0.5·Σ(μ² + σ² − 1 − log σ²). */
        public INDArray kl() {
            INDArray var = org.nd4j.linalg.ops.transforms.Transforms.exp(logVariance, true);
            INDArray terms = mean.mul(mean).addi(var).subi(1).subi(logVariance);
            return terms.reshape(terms.size(0), -1).sum(1).muli(0.5);
        }
    }
}
