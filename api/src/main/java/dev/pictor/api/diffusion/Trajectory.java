package dev.pictor.api.diffusion;

import java.util.Arrays;

/**
 * The noise levels a sampler walks through: σ_0 &gt; σ_1 &gt; … &gt; σ_n = 0, and the (possibly fractional)
 * timestep the network is given at each of the first n. Made by a
 * {@link dev.pictor.api.spi.DiffusionSampler} from the model's {@link NoiseSchedule} and the number of steps.
 *
 * <pre>{@code
 * Trajectory tr = sampler.trajectory(unet.schedule(), 20);
 * tr.steps();      // 20
 * tr.sigma(20);    // 0.0
 * }</pre>
 *
 * @param sigmas    n + 1 noise levels, strictly decreasing, the last 0
 * @param timesteps n timesteps, one per positive noise level
 */
public record Trajectory(double[] sigmas, double[] timesteps) {
    public Trajectory {
        sigmas = sigmas.clone();
        timesteps = timesteps.clone();
        if (sigmas.length < 2 || timesteps.length != sigmas.length - 1) {
            throw new IllegalArgumentException("a trajectory has n + 1 sigmas and n timesteps, n >= 1: got "
                    + sigmas.length + " and " + timesteps.length);
        }
        if (sigmas[sigmas.length - 1] != 0) {
            throw new IllegalArgumentException("a trajectory ends at sigma 0, not " + sigmas[sigmas.length - 1]);
        }
        for (int i = 1; i < sigmas.length; i++) {
            if (!(sigmas[i] < sigmas[i - 1])) {
                throw new IllegalArgumentException("sigmas must decrease strictly: " + Arrays.toString(sigmas));
            }
        }
    }

    /** From the schedule's noise levels at the given timesteps (descending), then 0. */
    public static Trajectory atTimesteps(NoiseSchedule schedule, double[] timesteps) {
        double[] s = new double[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            double t = timesteps[i];
            s[i] = t == Math.rint(t) ? schedule.sigma((int) t) : schedule.sigmaAt(t);
        }
        return new Trajectory(s, timesteps);
    }

    /** From noise levels chosen freely (descending, without the final 0): timesteps by {@link NoiseSchedule#timestep}. */
    public static Trajectory atSigmas(NoiseSchedule schedule, double[] sigmas) {
        double[] s = Arrays.copyOf(sigmas, sigmas.length + 1);
        double[] t = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            t[i] = schedule.timestep(sigmas[i]);
        }
        return new Trajectory(s, t);
    }

    /** Number of steps n. */
    public int steps() {
        return timesteps.length;
    }

    /** σ_i, 0 &lt;= i &lt;= n. */
    public double sigma(int i) {
        return sigmas[i];
    }

    /** The timestep of σ_i, 0 &lt;= i &lt; n. */
    public double timestep(int i) {
        return timesteps[i];
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    /** The last {@code steps} steps (img2img at a strength below 1 starts part-way down). */
    public Trajectory tail(int steps) {
        if (steps < 1 || steps > steps()) {
            throw new IllegalArgumentException("tail of " + steps + " steps of " + steps());
        }
        int from = steps() - steps;
        return new Trajectory(Arrays.copyOfRange(sigmas, from, sigmas.length),
                Arrays.copyOfRange(timesteps, from, timesteps.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trajectory t && Arrays.equals(sigmas, t.sigmas) && Arrays.equals(timesteps, t.timesteps);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sigmas) + Arrays.hashCode(timesteps);
    }

    @Override
    public String toString() {
        return "Trajectory[" + steps() + " steps, sigma " + sigmas[0] + " -> 0]";
    }
}
