package dev.pictor.api;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Helpers for the names of components, zoo entries and verbs: "did you mean" suggestions.
 *
 * <pre>{@code
 * Names.closest("bag-of-word", List.of("bag-of-words", "one-hot")); // Optional["bag-of-words"]
 * }</pre>
 */
public final class Names {
    private Names() {
    }

    /**
     * The known name closest to {@code name} by edit distance (case-insensitive), if it is close enough to be a
     * plausible typo (at most a third of the longer name's length, and at least one edit allowed) or what was typed
     * is a prefix of it (three characters or more).
     */
    public static Optional<String> closest(String name, Collection<String> known) {
        String wanted = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            String lower = candidate.toLowerCase(Locale.ROOT);
            // A name that starts with what was typed ("shapes" for "shapes-words") is always a fair guess.
            boolean prefix = wanted.length() >= 3 && (lower.startsWith(wanted) || wanted.startsWith(lower));
            int distance = prefix ? Math.abs(lower.length() - wanted.length()) : editDistance(wanted, lower);
            int allowed = prefix ? Integer.MAX_VALUE - 1 : Math.max(1, Math.max(wanted.length(), lower.length()) / 3);
            if (distance <= allowed && (distance < bestDistance
                    || (distance == bestDistance && candidate.compareTo(best) < 0))) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance with adjacent transpositions (optimal string alignment). */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
