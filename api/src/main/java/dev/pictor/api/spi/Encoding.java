package dev.pictor.api.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One tokenized text.
 *
 * @param ids           token ids
 * @param tokens        the token strings, one per id
 * @param attentionMask 1 for a real token, 0 for padding; same length as {@code ids}
 * @param truncated     whether the text was cut to the tokenizer's maximum length
 *
 * <pre>{@code
 * Encoding e = tokenizer.encode("a red circle");
 * e.length();  // 3
 * }</pre>
 */
public record Encoding(int[] ids, List<String> tokens, int[] attentionMask, boolean truncated) {
    public Encoding {
        Objects.requireNonNull(ids, "ids");
        tokens = List.copyOf(tokens);
        Objects.requireNonNull(attentionMask, "attentionMask");
        if (tokens.size() != ids.length || attentionMask.length != ids.length) {
            throw new IllegalArgumentException("ids, tokens and attentionMask differ in length: "
                    + ids.length + ", " + tokens.size() + ", " + attentionMask.length);
        }
        ids = ids.clone();
        attentionMask = attentionMask.clone();
    }

    /** Number of tokens (padding included, if any). */
    public int length() {
        return ids.length;
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding other && Arrays.equals(ids, other.ids) && tokens.equals(other.tokens)
                && Arrays.equals(attentionMask, other.attentionMask) && truncated == other.truncated;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(ids), tokens, Arrays.hashCode(attentionMask), truncated);
    }

    @Override
    public String toString() {
        return "Encoding" + tokens + (truncated ? " (truncated)" : "");
    }
}
