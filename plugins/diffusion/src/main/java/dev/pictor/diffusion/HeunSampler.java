package dev.pictor.diffusion;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Heun's second-order method on the probability-flow ODE (Karras et al. 2022, algorithm 1): an Euler step, then
 * the average of the slopes at both ends; the last step (to σ = 0) is plain Euler. Two network calls a step
 * except the last.
 */
final class HeunSampler extends ScheduledSampler {
    HeunSampler(Settings settings) {
        super("heun", settings);
    }

    @Override
    public Stepper stepper(Trajectory tr, GaussianNoise noise) {
        return (i, x, denoise) -> {
            double sigma = tr.sigma(i);
            double next = tr.sigma(i + 1);
            INDArray d = denoise.at(x, sigma);
            INDArray slope = x.sub(d).divi(sigma);
            INDArray predicted = x.add(slope.mul(next - sigma));
            if (next == 0) {
                return predicted;
            }
            INDArray d2 = denoise.at(predicted, next);
            INDArray slope2 = predicted.sub(d2).divi(next);
            return x.add(slope.addi(slope2).muli((next - sigma) / 2));
        };
    }

    @Override
    public boolean stochastic() {
        return false;
    }
}
