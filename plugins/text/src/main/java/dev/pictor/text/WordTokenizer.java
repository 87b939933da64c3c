package dev.pictor.text;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokenizer: NFC-normalises, optionally lower-cases, splits into words (letters, marks and digits,
 * with inner apostrophes: {@code don't}) and single punctuation marks, and maps each to its id in a
 * {@link Vocabulary}, unknown words to {@code [UNK]}.
 *
 * <p>A text longer than {@code maxLength} tokens is truncated and its {@link Encoding#truncated()} flag set (the
 * DSL's {@code tokenize} warns about it); an empty or blank text is an error. Batches pad with {@code [PAD]} (id
 * 0, mask 0) to the longest row, or to {@code padTo} when set. Immutable and thread-safe.
 *
 * <pre>{@code
 * WordTokenizer t = new WordTokenizer(Vocabulary.of(List.of("a", "red", "circle")), true, 128, 0);
 * t.encode("A red circle!").tokens();   // [a, red, circle, [UNK]]
 * }</pre>
 */
public final class WordTokenizer implements Tokenizer {
    /** Words (letters, marks, digits, inner apostrophes) or single non-space symbols. */
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+(?:['\u2019][\\p{L}\\p{M}\\p{N}]+)*"
            + "|[^\\s\\p{L}\\p{M}\\p{N}]");

    private final Vocabulary vocabulary;
    private final boolean lowercase;
    private final int maxLength;
    private final int padTo;

    /**
     * @param vocabulary the word list
     * @param lowercase  lower-case text before lookup
     * @param maxLength  longest encoding kept, in tokens
     * @param padTo      pad every batch to this length (0: to the longest row)
     */
    public WordTokenizer(Vocabulary vocabulary, boolean lowercase, int maxLength, int padTo) {
        if (maxLength < 1) {
            throw new BadInputException("tokenizer 'word': maxLength must be 1 or more, got " + maxLength);
        }
        if (padTo < 0 || padTo > maxLength) {
            throw new BadInputException("tokenizer 'word': padTo must be between 0 and maxLength (" + maxLength
                    + "), got " + padTo);
        }
        this.vocabulary = vocabulary;
        this.lowercase = lowercase;
        this.maxLength = maxLength;
        this.padTo = padTo;
    }

    /** Splits a text into word strings, as this tokenizer sees them (before vocabulary lookup). */
    public static List<String> split(String text, boolean lowercase) {
        String normal = Normalizer.normalize(text, Normalizer.Form.NFC);
        if (lowercase) {
            normal = normal.toLowerCase(Locale.ROOT);
        }
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(normal);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public int maxLength() {
        return maxLength;
    }

    @Override
    public String name() {
        return "word";
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public int padId() {
        return Vocabulary.PAD_ID;
    }

    @Override
    public Encoding encode(String text) {
        if (text == null || text.isBlank()) {
            throw new BadInputException("text is empty: give at least one word to tokenize");
        }
        List<String> words = split(text, lowercase);
        if (words.isEmpty()) {
            throw new BadInputException("text has no words: '" + text.strip() + "'");
        }
        boolean truncated = words.size() > maxLength;
        List<String> kept = truncated ? words.subList(0, maxLength) : words;
        int[] ids = new int[kept.size()];
        List<String> tokens = new ArrayList<>(kept.size());
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.id(kept.get(i));
            tokens.add(ids[i] == Vocabulary.UNK_ID ? Vocabulary.UNK : kept.get(i));
        }
        int[] mask = new int[ids.length];
        Arrays.fill(mask, 1);
        return new Encoding(ids, tokens, mask, truncated);
    }

    @Override
    public TokenBatch encodeBatch(List<String> texts) {
        return TokenBatch.pad(encodeEach(texts), Vocabulary.PAD_ID, padTo, vocabulary.size());
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            if (id == Vocabulary.PAD_ID) {
                continue;
            }
            String t = vocabulary.token(id);
            boolean punctuation = t.length() == 1 && !Character.isLetterOrDigit(t.charAt(0));
            if (out.length() > 0 && !punctuation) {
                out.append(' ');
            }
            out.append(t);
        }
        return out.toString();
    }

    @Override
    public String token(int id) {
        return vocabulary.token(id);
    }
}
