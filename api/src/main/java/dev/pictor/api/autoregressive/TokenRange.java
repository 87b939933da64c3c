package dev.pictor.api.autoregressive;

/**
 * The token ids a position may take, {@code [from, to)}: a DALL·E image position allows only image tokens.
 *
 * <pre>{@code
 * TokenRange image = new TokenRange(16384, 16384 + 8192);
 * }</pre>
 *
 * @param from first allowed id
 * @param to   one past the last
 */
public record TokenRange(int from, int to) {
    public TokenRange {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("token range [" + from + ", " + to + ") is empty or negative");
        }
    }

    /** Every id of a vocabulary. */
    public static TokenRange all(int vocabularySize) {
        return new TokenRange(0, vocabularySize);
    }

    public int size() {
        return to - from;
    }
}
