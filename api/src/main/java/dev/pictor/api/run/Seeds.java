package dev.pictor.api.run;

import java.util.SplittableRandom;

/**
 * Deterministic randomness helpers shared by data generators, initialisers and samplers: everything random in
 * Pictor is drawn from streams derived from explicit seeds, never from global state.
 *
 * <pre>{@code
 * SplittableRandom r = new SplittableRandom(Seeds.mix(seed + index));   // an independent stream per index
 * double z = Seeds.gaussian(r);                                         // N(0, 1)
 * }</pre>
 */
public final class Seeds {
    private Seeds() {
    }

    /** SplitMix64's finaliser: nearby inputs (seed + 1, seed + 2 …) give unrelated outputs. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A standard normal draw (Box–Muller; Java 17's SplittableRandom has no nextGaussian). */
    public static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
