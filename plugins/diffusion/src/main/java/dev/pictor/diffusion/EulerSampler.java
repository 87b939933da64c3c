package dev.pictor.diffusion;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Euler's method on the probability-flow ODE dx/dσ = (x − D(x, σ))/σ (Karras et al. 2022, algorithm 1 without
 * churn): one network call a step, deterministic. It is DDIM with η = 0 written in noise levels.
 */
final class EulerSampler extends ScheduledSampler {
    EulerSampler(Settings settings) {
        super("euler", settings);
    }

    @Override
    public Stepper stepper(Trajectory tr, GaussianNoise noise) {
        return oneCall(tr, noise, (x, d, sigma, next, z) -> euler(x, d, sigma, next));
    }

    /** x + (x − D)/σ·(σ' − σ) = (σ'/σ)·x + (1 − σ'/σ)·D. */
    static INDArray euler(INDArray x, INDArray denoised, double sigma, double next) {
        double r = next / sigma;
        return x.mul(r).addi(denoised.mul(1 - r));
    }

    @Override
    public boolean stochastic() {
        return false;
    }
}
