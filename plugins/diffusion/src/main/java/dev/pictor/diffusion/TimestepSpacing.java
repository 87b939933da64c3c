package dev.pictor.diffusion;

import dev.pictor.api.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which of the schedule's T training timesteps a run of n steps visits (Lin et al. 2024, table 2), highest
 * first. {@link #TRAILING} is the default here: it starts at the last timestep T − 1, the only one whose noise
 * level matches the pure noise a text-to-image run starts from; {@link #LEADING} (Stable Diffusion 1.x's
 * scheduler config, with offset 1) starts n − 1 strides below it.
 *
 * <pre>{@code
 * TimestepSpacing.TRAILING.timesteps(1000, 20, 0);   // 999, 949, …, 49
 * TimestepSpacing.LEADING.timesteps(1000, 20, 1);    // 951, 901, …, 1
 * }</pre>
 */
public enum TimestepSpacing {
    /** round(linspace(0, T − 1, n)), reversed: both ends included. */
    LINSPACE,
    /** k·⌊T/n⌋ + offset for k = n − 1 … 0: starts low, ends at the offset. */
    LEADING,
    /** round(T − k·T/n) − 1 for k = 0 … n − 1: starts at T − 1. */
    TRAILING;

    /** The DSL/config name: {@code linspace}, {@code leading}, {@code trailing}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** By name, case-insensitive. */
    public static TimestepSpacing parse(String name) {
        for (TimestepSpacing s : values()) {
            if (s.id().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw BadInputException.unknown("timestep spacing", name, Arrays.stream(values()).map(TimestepSpacing::id)
                .toList(), null);
    }

    /**
     * The n timesteps, strictly decreasing.
     *
     * @param trainSteps T
     * @param steps      n, in [1, T]
     * @param offset     added to every timestep ({@link #LEADING} only; Stable Diffusion's {@code steps_offset})
     */
    public double[] timesteps(int trainSteps, int steps, int offset) {
        if (steps < 1 || steps > trainSteps) {
            throw new BadInputException("steps must lie in [1, " + trainSteps + "] (the model's schedule has "
                    + trainSteps + " timesteps), got " + steps);
        }
        if (offset != 0 && this != LEADING) {
            throw new BadInputException("a timestep offset applies to leading spacing only, not " + id());
        }
        double[] t = new double[steps];
        for (int k = 0; k < steps; k++) {
            t[k] = switch (this) {
                case LINSPACE -> steps == 1 ? 0 : Math.rint((steps - 1 - k) * ((double) (trainSteps - 1) / (steps - 1)));
                case LEADING -> (double) (steps - 1 - k) * (trainSteps / steps) + offset;
                // numpy's arange(T, 0, -T/n) accumulates k·(T/n); rint is numpy's round-half-even
                case TRAILING -> Math.rint(trainSteps - k * ((double) trainSteps / steps)) - 1;
            };
        }
        if (t[0] > trainSteps - 1 || t[steps - 1] < 0) {
            throw new BadInputException("timestep offset " + offset + " takes " + steps + " leading steps past the"
                    + " schedule's last timestep " + (trainSteps - 1) + ": use fewer steps or offset 0");
        }
        return t;
    }
}
