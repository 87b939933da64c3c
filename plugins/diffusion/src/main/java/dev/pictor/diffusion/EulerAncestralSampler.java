package dev.pictor.diffusion;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Euler ancestral (k-diffusion's {@code sample_euler_ancestral}, η = 1): an Euler step down to
 * σ_down = √(σ'² − σ_up²), then fresh noise of size σ_up = min(σ', σ'·√(σ² − σ'²)/σ) — the DDPM posterior's
 * amount of noise, re-added each step.
 */
final class EulerAncestralSampler extends ScheduledSampler {
    EulerAncestralSampler(Settings settings) {
        super("euler-ancestral", settings);
    }

    @Override
    public Stepper stepper(Trajectory tr, GaussianNoise noise) {
        return oneCall(tr, noise, (x, d, sigma, next, z) -> {
            double up = Math.min(next, Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)));
            double down = Math.sqrt(next * next - up * up);
            INDArray stepped = EulerSampler.euler(x, d, sigma, down);
            return up == 0 ? stepped : stepped.addi(z.next(x.shape()).muli(up));
        });
    }

    @Override
    public boolean stochastic() {
        return true;
    }
}
