package dev.pictor.diffusion;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DDIM (Song et al. 2021, eq. 12) with stochasticity η: from ᾱ_t to ᾱ_s,
 * x_s = √ᾱ_s·x̂₀ + √(1 − ᾱ_s − c²)·ε̂ + c·z, with c = η·√((1 − ᾱ_s)/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_s), here in
 * noise-level form (divided by √ᾱ_s). η = 0 is deterministic (and equals Euler); η = 1 has DDPM's posterior
 * variance. The trajectory ends at ᾱ = 1 (diffusers' {@code set_alpha_to_one}), so the result is x̂₀ itself.
 */
final class DdimSampler extends ScheduledSampler {
    private final double eta;

    DdimSampler(Settings settings, double eta) {
        super("ddim", settings);
        if (!(eta >= 0 && eta <= 1)) {
            throw new dev.pictor.api.BadInputException("sampler 'ddim': eta must lie in [0, 1], got " + eta);
        }
        this.eta = eta;
    }

    @Override
    public Stepper stepper(Trajectory tr, GaussianNoise noise) {
        return oneCall(tr, noise, (x, d, sigma, next, z) -> {
            if (next == 0) {
                return d;
            }
            double at = NoiseSchedule.alphaBarOf(sigma);
            double as = NoiseSchedule.alphaBarOf(next);
            double c = eta * Math.sqrt((1 - as) / (1 - at)) * Math.sqrt(1 - at / as);
            INDArray eps = x.sub(d).divi(sigma);
            INDArray out = d.add(eps.muli(Math.sqrt((1 - as - c * c) / as)));
            return c == 0 ? out : out.addi(z.next(x.shape()).muli(c / Math.sqrt(as)));
        });
    }

    @Override
    public boolean stochastic() {
        return eta > 0;
    }

    @Override
    public String toString() {
        return super.toString() + ", eta " + eta;
    }
}
