package dev.pictor.diffusion;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDPM ancestral sampling (Ho et al. 2020, eq. 6–7): x_s drawn from the posterior q(x_s | x_t, x̂₀), mean
 * √ᾱ_s·β/(1 − ᾱ_t)·x̂₀ + √(1 − β)·(1 − ᾱ_s)/(1 − ᾱ_t)·x_t and variance (1 − ᾱ_s)/(1 − ᾱ_t)·β with
 * β = 1 − ᾱ_t/ᾱ_s ("fixed small"), in the variance-preserving form, converted from and back to noise levels.
 * Skipping timesteps uses the same β between the visited ones, as diffusers does. No clipping of x̂₀.
 */
final class DdpmSampler extends ScheduledSampler {
    DdpmSampler(Settings settings) {
        super("ddpm", settings);
    }

    @Override
    public Stepper stepper(Trajectory tr, GaussianNoise noise) {
        return oneCall(tr, noise, (x, d, sigma, next, z) -> {
            double at = NoiseSchedule.alphaBarOf(sigma);
            double as = NoiseSchedule.alphaBarOf(next);
            double beta = 1 - at / as;
            double toX0 = Math.sqrt(as) * beta / (1 - at);
            double toXt = Math.sqrt(1 - beta) * (1 - as) / (1 - at);
            double variance = (1 - as) / (1 - at) * beta;
            // x_t in variance-preserving form is √ᾱ_t·x; the result is divided by √ᾱ_s back to noise levels
            INDArray vp = d.mul(toX0).addi(x.mul(toXt * Math.sqrt(at)));
            if (variance > 0) {
                vp.addi(z.next(x.shape()).muli(Math.sqrt(variance)));
            }
            return vp.divi(Math.sqrt(as));
        });
    }

    @Override
    public boolean stochastic() {
        return true;
    }
}
