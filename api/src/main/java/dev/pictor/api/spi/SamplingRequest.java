package dev.pictor.api.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * Everything a {@link Sampler} needs besides the denoiser. Built with {@link #builder(long[])}.
 *
 * @param shape          shape of the sample, batch first (latents, or {@code [batch, tokens]})
 * @param seed           the only source of randomness
 * @param steps          number of denoiser steps (or tokens to generate)
 * @param guidance       classifier-free guidance scale; 1 means none
 * @param condition      the condition for the guided branch
 * @param unconditional  the condition for the unguided branch (used when guidance differs from 1)
 *
 * <pre>{@code
 * SamplingRequest r = SamplingRequest.builder(new long[] {2, 4, 8, 8}).seed(1).steps(25).build();
 * }</pre>
 */
public record SamplingRequest(long[] shape, long seed, int steps, double guidance, Condition condition,
        Condition unconditional) {

    public SamplingRequest {
        shape = shape.clone();
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("shape must be non-empty and positive: " + Arrays.toString(shape));
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be positive: " + steps);
        }
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(unconditional, "unconditional");
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A builder with the sample shape; seed 0, 50 steps, no guidance, unconditional by default. */
    public static Builder builder(long[] shape) {
        return new Builder(shape);
    }

    /** Optional settings of a {@link SamplingRequest}. */
    public static final class Builder {
        private final long[] shape;
        private long seed;
        private int steps = 50;
        private double guidance = 1.0;
        private Condition condition = Condition.none();
        private Condition unconditional = Condition.none();

        private Builder(long[] shape) {
            this.shape = shape.clone();
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder guidance(double guidance) {
            this.guidance = guidance;
            return this;
        }

        public Builder condition(Condition condition) {
            this.condition = condition;
            return this;
        }

        public Builder unconditional(Condition unconditional) {
            this.unconditional = unconditional;
            return this;
        }

        public SamplingRequest build() {
            return new SamplingRequest(shape, seed, steps, guidance, condition, unconditional);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingRequest r && Arrays.equals(shape, r.shape) && seed == r.seed
                && steps == r.steps && Double.compare(guidance, r.guidance) == 0 && condition.equals(r.condition)
                && unconditional.equals(r.unconditional);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(shape), seed, steps, guidance, condition, unconditional);
    }

    @Override
    public String toString() {
        return "SamplingRequest[shape=" + Arrays.toString(shape) + ", seed=" + seed + ", steps=" + steps
                + ", guidance=" + guidance + "]";
    }
}
