package dev.pictor.text;

import dev.pictor.api.BadInputException;
import dev.pictor.api.io.AtomicFiles;
import dev.pictor.api.io.TextFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable word list: id &#8644; token. Ids 0 and 1 are always {@link #PAD} and {@link #UNK}.
 *
 * <p>Built from a corpus with {@link #build}, most frequent words first (ties broken alphabetically, so the same
 * corpus always gives the same ids), or read from a file of one token a line (line number = id).
 *
 * <pre>{@code
 * Vocabulary v = Vocabulary.build(List.of(List.of("a", "red", "circle"), List.of("a", "square")), 1, 0);
 * v.id("a");        // 2 (most frequent)
 * v.id("zebra");    // 1 ([UNK])
 * v.write(Path.of("words.vocab"));
 * }</pre>
 */
public final class Vocabulary {
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;

    private final List<String> tokens;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> tokens) {
        if (tokens.size() < 2 || !tokens.get(PAD_ID).equals(PAD) || !tokens.get(UNK_ID).equals(UNK)) {
            throw new BadInputException("a vocabulary must start with " + PAD + " and " + UNK
                    + " on its first two lines");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
                throw new BadInputException("vocabulary line " + (i + 1) + " is empty or has spaces: one token a line");
            }
            if (index.put(t, i) != null) {
                throw new BadInputException("vocabulary has '" + t + "' twice (line " + (i + 1) + ")");
            }
        }
        this.tokens = List.copyOf(tokens);
        this.ids = Collections.unmodifiableMap(index);
    }

    /** A vocabulary of exactly these tokens after the two specials. */
    public static Vocabulary of(List<String> words) {
        List<String> all = new ArrayList<>(words.size() + 2);
        all.add(PAD);
        all.add(UNK);
        all.addAll(words);
        return new Vocabulary(all);
    }

    /**
     * Builds a vocabulary from tokenized texts: words seen at least {@code minCount} times, most frequent first,
     * ties alphabetical; at most {@code maxSize} ids in all (0 for no limit).
     */
    public static Vocabulary build(Iterable<List<String>> texts, int minCount, int maxSize) {
        if (minCount < 1) {
            throw new BadInputException("minCount must be 1 or more, got " + minCount);
        }
        if (maxSize != 0 && maxSize < 3) {
            throw new BadInputException("maxSize must be 0 (no limit) or at least 3, got " + maxSize);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> text : texts) {
            for (String w : text) {
                if (!w.equals(PAD) && !w.equals(UNK)) {
                    counts.merge(w, 1, Integer::sum);
                }
            }
        }
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.removeIf(e -> e.getValue() < minCount);
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        int keep = maxSize == 0 ? sorted.size() : Math.min(sorted.size(), maxSize - 2);
        return of(sorted.subList(0, keep).stream().map(Map.Entry::getKey).toList());
    }

    /** Reads a vocabulary file: UTF-8, one token a line. */
    public static Vocabulary read(Path file) {
        List<String> lines = TextFiles.readLines(file, "vocabulary", "");
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        try {
            return new Vocabulary(lines);
        } catch (BadInputException e) {
            throw new BadInputException("vocabulary " + file + ": " + e.getMessage());
        }
    }

    /** Writes one token a line, atomically. */
    public void write(Path file) {
        AtomicFiles.write(file, out -> out.write((String.join("\n", tokens) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** Number of ids, specials included. */
    public int size() {
        return tokens.size();
    }

    /** The id of a token, or {@link #UNK_ID}. */
    public int id(String token) {
        return ids.getOrDefault(token, UNK_ID);
    }

    /** Whether the token has its own id. */
    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The token of an id. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new BadInputException("token id " + id + " is outside the vocabulary (0.." + (tokens.size() - 1) + ")");
        }
        return tokens.get(id);
    }

    /** All tokens in id order. */
    public List<String> tokens() {
        return tokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && tokens.equals(v.tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }

    @Override
    public String toString() {
        return "Vocabulary(" + tokens.size() + " tokens)";
    }
}
