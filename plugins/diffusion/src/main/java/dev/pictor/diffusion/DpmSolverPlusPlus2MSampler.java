package dev.pictor.diffusion;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.Trajectory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, algorithm 2), multistep second order in the data prediction: with
 * λ = −log σ and h = λ' − λ, x' = (σ'/σ)·x − (e^{−h} − 1)·D̃, where D̃ extrapolates from this step's and the
 * previous step's estimates, D̃ = (1 + 1/2r)·D − (1/2r)·D_prev, r = h_prev/h. The first step is first order and
 * the last lands on D. One network call a step; the stepper keeps D_prev.
 */
final class DpmSolverPlusPlus2MSampler extends ScheduledSampler {
    DpmSolverPlusPlus2MSampler(Settings settings) {
        super("dpm-solver++", settings);
    }

    @Override
    public Stepper stepper(Trajectory tr, GaussianNoise noise) {
        return new Stepper() {
            private INDArray previous;

            @Override
            public INDArray step(int i, INDArray x, Denoise denoise) {
                double sigma = tr.sigma(i);
                double next = tr.sigma(i + 1);
                INDArray d = denoise.at(x, sigma);
                INDArray out;
                if (next == 0) {
                    out = d;
                } else {
                    double h = Math.log(sigma / next);
                    INDArray target = d;
                    if (previous != null) {
                        double r = Math.log(tr.sigma(i - 1) / sigma) / h;
                        target = d.mul(1 + 1 / (2 * r)).subi(previous.mul(1 / (2 * r)));
                    }
                    out = x.mul(next / sigma).subi(target.mul(Math.expm1(-h)));
                }
                previous = d;
                return out;
            }
        };
    }

    @Override
    public boolean stochastic() {
        return false;
    }
}
