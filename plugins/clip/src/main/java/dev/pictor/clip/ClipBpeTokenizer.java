package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * OpenAI CLIP's byte-level BPE tokenizer: 49,408 ids (256 byte symbols, the same with an end-of-word mark, 48,894
 * merges, then {@code <|startoftext|>} 49406 and {@code <|endoftext|>} 49407), a context of 77 padded with id 0.
 * As OpenAI's {@code simple_tokenizer}: the text repaired by {@code ftfy.fix_text} ({@code Ftfy}, a port of ftfy
 * 6.3.1: mojibake, HTML entities, curly quotes, Latin ligatures, full-width forms, control characters, NFC), HTML
 * entities unescaped twice, white space collapsed, lower case; words, single digits, contractions and runs of other
 * symbols split by one pattern; each piece's UTF-8 bytes mapped to printable symbols and merged by rank.
 *
 * <pre>{@code
 * ClipBpeTokenizer clip = ClipBpeTokenizer.standard();
 * clip.encode("a photo of a cat").ids();   // [49406, 320, 1125, 539, 320, 2368, 49407]
 * }</pre>
 */
public final class ClipBpeTokenizer implements Tokenizer {
    /** Id of {@code <|startoftext|>}. */
    public static final int START = 49406;
    /** Id of {@code <|endoftext|>}: the highest id, which CLIP's text encoder pools at. */
    public static final int END = 49407;
    /** CLIP's context length. */
    public static final int CONTEXT = 77;
    private static final String MERGES = "bpe_simple_vocab_16e6.txt.gz";
    private static final int MERGE_COUNT = 49152 - 256 - 2;
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CACHE = 1 << 16;

    private static volatile Vocabulary shared;

    private final Vocabulary vocabulary;
    private final int contextLength;
    private final Map<String, int[]> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
            return size() > CACHE;
        }
    };

    /** The symbol table and merge ranks, read once per process. */
    record Vocabulary(char[] byteSymbol, int[] symbolByte, Map<String, Integer> ids, String[] tokens,
            Map<String, Integer> ranks) {
    }

    private ClipBpeTokenizer(Vocabulary vocabulary, int contextLength) {
        if (contextLength < 2) {
            throw new BadInputException("a CLIP context must hold at least the start and end tokens, got "
                    + contextLength);
        }
        this.vocabulary = vocabulary;
        this.contextLength = contextLength;
    }

    /** OpenAI's tokenizer with CLIP's context of 77. */
    public static ClipBpeTokenizer standard() {
        return withContext(CONTEXT);
    }

    /** OpenAI's vocabulary with another context length. */
    public static ClipBpeTokenizer withContext(int contextLength) {
        Vocabulary v = shared;
        if (v == null) {
            synchronized (ClipBpeTokenizer.class) {
                if (shared == null) {
                    shared = read();
                }
                v = shared;
            }
        }
        return new ClipBpeTokenizer(v, contextLength);
    }

    /** The bytes that keep their own code point as symbol: printable ASCII and most of printable Latin-1. */
    private static final int[][] KEPT = {{'!', '~'}, {0xA1, 0xAC}, {0xAE, 0xFF}};

    /**
     * The order OpenAI's vocabulary lists the byte symbols in: the kept ranges first, then the other bytes, which
     * GPT-2's map moves to 256, 257, … in this order.
     */
    private static int[] byteOrder() {
        List<Integer> order = new ArrayList<>();
        boolean[] kept = new boolean[256];
        for (int[] range : KEPT) {
            for (int b = range[0]; b <= range[1]; b++) {
                order.add(b);
                kept[b] = true;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!kept[b]) {
                order.add(b);
            }
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** GPT-2's map from bytes to printable symbols: the kept bytes stay, the rest move to 256 + n. */
    static char[] byteSymbols() {
        int[] order = byteOrder();
        int keptCount = 0;
        for (int[] range : KEPT) {
            keptCount += range[1] - range[0] + 1;
        }
        char[] symbol = new char[256];
        for (int i = 0; i < order.length; i++) {
            symbol[order[i]] = (char) (i < keptCount ? order[i] : 256 + (i - keptCount));
        }
        return symbol;
    }

    private static Vocabulary read() {
        try (InputStream raw = ClipBpeTokenizer.class.getResourceAsStream(MERGES)) {
            if (raw == null) {
                throw new IllegalStateException("the CLIP vocabulary " + MERGES + " is missing from the jar");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.UTF_8));
            in.readLine();   // the version header
            List<String> merges = new ArrayList<>(MERGE_COUNT);
            for (int rank = 0; rank < MERGE_COUNT; rank++) {
                merges.add(in.readLine());
            }
            return vocabulary(merges);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CLIP vocabulary", e);
        }
    }

    /**
     * The vocabulary CLIP's layout builds from merges: the 256 byte symbols, the same with the end-of-word mark, one
     * token per merge in rank order, then {@code <|startoftext|>} and {@code <|endoftext|>} — so the end token is
     * always the highest id, where CLIP's text encoder pools.
     */
    static Vocabulary vocabulary(List<String> merges) {
        char[] symbol = byteSymbols();
        int[] symbolByte = new int[512];
        Arrays.fill(symbolByte, -1);
        for (int b = 0; b < 256; b++) {
            symbolByte[symbol[b]] = b;
        }
        List<String> tokens = new ArrayList<>(512 + merges.size() + 2);
        int[] order = byteOrder();
        for (int b : order) {
            tokens.add(String.valueOf(symbol[b]));
        }
        for (int b : order) {
            tokens.add(symbol[b] + "</w>");
        }
        Map<String, Integer> ranks = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String line = merges.get(rank);
            int space = line == null ? -1 : line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new BadInputException("merge " + (rank + 1) + " is not two symbols separated by one space: '"
                        + line + "'");
            }
            ranks.put(line, rank);
            tokens.add(line.substring(0, space) + line.substring(space + 1));
        }
        tokens.add("<|startoftext|>");
        tokens.add("<|endoftext|>");
        Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
        }
        return new Vocabulary(symbol, symbolByte, ids, tokens.toArray(String[]::new), ranks);
    }

    /**
     * A tokenizer over merges of its own ({@link BpeTrainer}), in CLIP's layout: {@code vocabularySize() = 512 +
     * merges + 2}.
     */
    public static ClipBpeTokenizer fromMerges(List<String> merges, int contextLength) {
        return new ClipBpeTokenizer(vocabulary(merges), contextLength);
    }

    /** Reads a merges file ({@code #version} header, then one {@code "a b"} per line; .gz or plain). */
    public static ClipBpeTokenizer fromMergesFile(java.nio.file.Path file, int contextLength) {
        try (InputStream raw = java.nio.file.Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            List<String> lines = new ArrayList<>(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            if (!lines.isEmpty() && lines.get(0).startsWith("#version")) {
                lines.remove(0);
            }
            lines.removeIf(String::isEmpty);
            return fromMerges(lines, contextLength);
        } catch (IOException e) {
            throw new BadInputException("cannot read the BPE merges " + file + ": " + e.getMessage());
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    /**
     * Writes the merges as a file {@link #fromMergesFile} reads (a {@code #version} header, one merge a line),
     * atomically: a model folder's {@code bpe.txt}.
     */
    public void writeMerges(java.nio.file.Path file) {
        byte[] bytes = ("#version: 0.2 (learned by Pictor's BpeTrainer)\n" + String.join("\n", merges()) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        dev.pictor.api.io.AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The merges in rank order (what {@link #fromMerges} takes). */
    public List<String> merges() {
        String[] out = new String[vocabulary.ranks().size()];
        vocabulary.ranks().forEach((m, r) -> out[r] = m);
        return List.of(out);
    }

    /** Id of {@code <|startoftext|>}. */
    public int startId() {
        return vocabulary.tokens().length - 2;
    }

    /** Id of {@code <|endoftext|>}, the highest. */
    public int endId() {
        return vocabulary.tokens().length - 1;
    }

    @Override
    public String name() {
        return "clip-bpe";
    }

    @Override
    public int vocabularySize() {
        return vocabulary.tokens().length;
    }

    /** CLIP pads with id 0 ("!"); the attention mask marks what is real. */
    @Override
    public int padId() {
        return 0;
    }

    public int contextLength() {
        return contextLength;
    }

    /** The cleaned text, as OpenAI's {@code basic_clean} then {@code whitespace_clean} and lower-casing leave it. */
    static String clean(String text) {
        String t = Ftfy.fixText(text);
        t = HtmlUnescape.unescape(HtmlUnescape.unescape(t)).strip();
        return WHITESPACE.matcher(t).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
    }

    /** The pieces BPE works on: the cleaned text split by CLIP's pattern (words, digits, contractions, symbols). */
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECES.matcher(clean(text));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The BPE ids of a text, without start and end tokens. */
    public int[] bpe(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = PIECES.matcher(clean(text));
        while (m.find()) {
            for (int id : piece(m.group())) {
                out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] piece(String piece) {
        int[] hit = cache.get(piece);
        if (hit != null) {
            return hit;
        }
        int[] ids;
        Integer special = piece.equals("<|startoftext|>") || piece.equals("<|endoftext|>")
                ? vocabulary.ids().get(piece) : null;
        if (special != null) {
            ids = new int[] {special};
        } else {
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            List<String> word = new ArrayList<>(bytes.length);
            for (int i = 0; i < bytes.length; i++) {
                String s = String.valueOf(vocabulary.byteSymbol()[bytes[i] & 0xFF]);
                word.add(i == bytes.length - 1 ? s + "</w>" : s);
            }
            merge(word);
            ids = new int[word.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = vocabulary.ids().get(word.get(i));
            }
        }
        cache.put(piece, ids);
        return ids;
    }

    /** Applies merges, lowest rank first, until none applies (OpenAI's {@code bpe}). */
    private void merge(List<String> word) {
        Map<String, Integer> ranks = vocabulary.ranks();
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                return;
            }
            List<String> merged = mergePair(word, first, second);
            word.clear();
            word.addAll(merged);
        }
    }

    /** {@code word} with every occurrence of the pair {@code a b} merged, left to right (BPE's one rewrite). */
    static List<String> mergePair(List<String> word, String a, String b) {
        List<String> merged = new ArrayList<>(word.size());
        for (int i = 0; i < word.size(); i++) {
            if (i + 1 < word.size() && word.get(i).equals(a) && word.get(i + 1).equals(b)) {
                merged.add(a + b);
                i++;
            } else {
                merged.add(word.get(i));
            }
        }
        return merged;
    }

    /**
     * Start token, BPE ids, end token: cut to the context (the end token kept last, as OpenAI's
     * {@code tokenize(truncate=True)}), not padded.
     */
    @Override
    public Encoding encode(String text) {
        int[] body = bpe(text);
        boolean truncated = body.length + 2 > contextLength;
        int n = Math.min(body.length, contextLength - 2);
        int[] ids = new int[n + 2];
        ids[0] = startId();
        System.arraycopy(body, 0, ids, 1, n);
        ids[n + 1] = endId();
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            tokens.add(vocabulary.tokens()[id]);
        }
        int[] mask = new int[ids.length];
        Arrays.fill(mask, 1);
        return new Encoding(ids, tokens, mask, truncated);
    }

    /** Padded with 0 to the context length, as CLIP's text encoder expects. */
    @Override
    public TokenBatch encodeBatch(List<String> texts) {
        return TokenBatch.pad(encodeEach(texts), padId(), contextLength, vocabularySize());
    }

    @Override
    public String decode(int[] ids) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            if (id == startId() || id == endId() || id < 0 || id >= vocabularySize()) {
                continue;
            }
            String t = vocabulary.tokens()[id];
            boolean end = t.endsWith("</w>");
            String symbols = end ? t.substring(0, t.length() - 4) : t;
            for (int i = 0; i < symbols.length(); i++) {
                bytes.write(vocabulary.symbolByte()[symbols.charAt(i)]);
            }
            if (end) {
                bytes.write(' ');
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    @Override
    public String token(int id) {
        return vocabulary.tokens()[id];
    }
}
