package dev.pictor.api.autoregressive;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Condition;
import java.util.Objects;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One run of the {@link AutoregressiveLoop}: the prefix every sequence starts from, how many tokens to add, the
 * seed, and which ids each position allows.
 *
 * <pre>{@code
 * DecodingRequest r = DecodingRequest.builder(prefix, 64)      // prefix [batch, p] INT64, 64 new tokens
 *         .seed(7).allowed(position -> new TokenRange(16384, 24576)).build();
 * }</pre>
 *
 * @param prefix    {@code [batch, p]} INT64 token ids, p ≥ 1
 * @param newTokens tokens to generate after the prefix, ≥ 1
 * @param seed      row b draws from seed {@code seed + b} alone
 * @param allowed   the ids allowed at each absolute position (p for the first new token)
 * @param condition passed to the session (none for a decoder-only model)
 * @param guidance  classifier-free guidance on the logits, ≥ 0: {@code u + guidance · (c − u)} with c the logits
 *                  after the prefix and u those after {@code negative}; 1 decodes from the prefix alone
 * @param negative  {@code [batch, p]} INT64, the same length as the prefix: the other branch of guidance (the
 *                  empty text's layout for an unconditional one); null when guidance is 1
 */
public record DecodingRequest(INDArray prefix, int newTokens, long seed, IntFunction<TokenRange> allowed,
        Condition condition, double guidance, INDArray negative) {

    public DecodingRequest {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(allowed, "allowed");
        Objects.requireNonNull(condition, "condition");
        if (prefix.rank() != 2 || prefix.size(1) < 1) {
            throw new BadInputException("the prefix must be [batch, length >= 1] token ids, got "
                    + java.util.Arrays.toString(prefix.shape()));
        }
        if (newTokens < 1) {
            throw new BadInputException("the number of tokens to generate must be at least 1, got " + newTokens);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new BadInputException("guidance must be >= 0 (1 = none), got " + guidance);
        }
        if (guidance != 1 && (negative == null || !java.util.Arrays.equals(negative.shape(), prefix.shape()))) {
            throw new BadInputException("guided decoding needs a negative prefix of the prefix's shape "
                    + java.util.Arrays.toString(prefix.shape()) + ", got " + (negative == null ? "none"
                    : java.util.Arrays.toString(negative.shape())));
        }
    }

    /** Whether decoding mixes a second branch into the logits. */
    public boolean guided() {
        return guidance != 1;
    }

    public int batch() {
        return (int) prefix.size(0);
    }

    public static Builder builder(INDArray prefix, int newTokens) {
        return new Builder(prefix, newTokens);
    }

    /** Optional settings: seed 0, every id allowed, no condition, no guidance. */
    public static final class Builder {
        private final INDArray prefix;
        private final int newTokens;
        private long seed;
        private IntFunction<TokenRange> allowed;
        private Condition condition = Condition.none();
        private double guidance = 1;
        private INDArray negative;

        private Builder(INDArray prefix, int newTokens) {
            this.prefix = prefix;
            this.newTokens = newTokens;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder allowed(IntFunction<TokenRange> allowed) {
            this.allowed = allowed;
            return this;
        }

        public Builder condition(Condition condition) {
            this.condition = condition;
            return this;
        }

        /** Classifier-free guidance at {@code scale} against the {@code negative} prefix (1 = none). */
        public Builder guidance(double scale, INDArray negative) {
            this.guidance = scale;
            this.negative = negative;
            return this;
        }

        /** {@code allowed} defaults to the whole vocabulary of the denoiser the loop runs. */
        public DecodingRequest build() {
            return new DecodingRequest(prefix, newTokens, seed, allowed == null ? p -> null : allowed, condition,
                    guidance, guidance == 1 ? null : negative);
        }
    }
}
