package dev.pictor.nn;

import java.util.SplittableRandom;

/**
 * How a parameter starts: PyTorch's defaults for each layer, drawn from a stream seeded by the graph's seed and
 * the parameter's name, so a model's initial weights do not depend on the order its layers were built in.
 *
 * <pre>{@code
 * Init w = Init.uniform(1 / Math.sqrt(fanIn));   // nn.Linear's weight and bias
 * Init g = Init.ones();                           // a norm's gain
 * }</pre>
 */
@FunctionalInterface
public interface Init {

    /** Fills {@code values} (C-order) for a parameter, drawing from {@code random}. */
    void fill(float[] values, SplittableRandom random);

    static Init zeros() {
        return (v, r) -> java.util.Arrays.fill(v, 0f);
    }

    static Init ones() {
        return (v, r) -> java.util.Arrays.fill(v, 1f);
    }

    /** U(-bound, bound): PyTorch's Linear and Conv2d defaults use bound = 1/sqrt(fan_in). */
    static Init uniform(double bound) {
        return (v, r) -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
            }
        };
    }

    /** N(0, std²): PyTorch's Embedding default is std = 1. */
    static Init normal(double std) {
        return (v, r) -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (std * dev.pictor.api.run.Seeds.gaussian(r));
            }
        };
    }
}
