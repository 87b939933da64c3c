package dev.pictor.diffusion;

import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.Trajectory;
import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.spi.DiffusionSampler;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every built-in sampler shares: how it chooses its noise levels. Evenly spaced timesteps under a
 * {@link TimestepSpacing}, or with {@code karras} the noise levels of {@link KarrasSigmas} between the schedule's
 * smallest and largest σ (timesteps then fractional). Subclasses add only their update rule.
 */
abstract class ScheduledSampler implements DiffusionSampler {
    private final String name;
    private final TimestepSpacing spacing;
    private final int offset;
    private final boolean karras;
    private final double rho;

    ScheduledSampler(String name, Settings settings) {
        this.name = name;
        this.spacing = settings.spacing();
        this.offset = settings.offset();
        this.karras = settings.karras();
        this.rho = settings.rho();
    }

    /** The choice of noise levels: spacing and offset, or Karras levels with ρ. */
    record Settings(TimestepSpacing spacing, int offset, boolean karras, double rho) {
        static final Settings DEFAULT = new Settings(TimestepSpacing.TRAILING, 0, false, 7);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Trajectory trajectory(NoiseSchedule schedule, int steps) {
        double[] t = spacing.timesteps(schedule.trainSteps(), steps, offset);   // checks steps against T
        if (!karras) {
            return Trajectory.atTimesteps(schedule, t);
        }
        return Trajectory.atSigmas(schedule, KarrasSigmas.of(schedule.sigmaMin(), schedule.sigmaMax(), steps, rho));
    }

    /** The update of a method that calls the network once a step: x at σ to the next level, given D(x, σ). */
    @FunctionalInterface
    interface Update {
        INDArray apply(INDArray x, INDArray denoised, double sigma, double next, GaussianNoise noise);
    }

    /** A stepper that evaluates D once at σ_i and applies {@code update}. */
    static Stepper oneCall(Trajectory tr, GaussianNoise noise, Update update) {
        return (i, x, denoise) -> {
            double sigma = tr.sigma(i);
            return update.apply(x, denoise.at(x, sigma), sigma, tr.sigma(i + 1), noise);
        };
    }

    @Override
    public String toString() {
        return name + (karras ? " (karras, rho " + rho + ")" : " (" + spacing.id() + ")");
    }
}
