package dev.pictor.api.spi;

import java.util.SplittableRandom;

/**
 * Chooses the next token from a row of logits: the logits processors (temperature, top-k, top-p) and the
 * categorical draw, restricted to the ids the position allows (a DALL·E image position allows image tokens
 * only). Drawing only from the given stream makes decoding repeatable from a seed.
 *
 * <pre>{@code
 * int next = sampler.choose(logitsRow, 16384, 16384 + 8192, random);
 * }</pre>
 */
public non-sealed interface TokenSampler extends Sampler {

    /**
     * @param logits one row of next-token logits (not modified)
     * @param from   first allowed id
     * @param to     one past the last allowed id
     * @param random this row's stream
     * @return the chosen id, in {@code [from, to)}
     */
    int choose(float[] logits, int from, int to, SplittableRandom random);
}
