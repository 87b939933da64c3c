package dev.pictor.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's WordPiece tokenizer in pure Java: {@link BertNormalizer} basic tokenization, then greedy longest-match
 * sub-words from the vocabulary ({@code ##} marks a continuation), a whole word becoming {@code [UNK]} when no
 * split exists or it is longer than {@code maxInputCharsPerWord}; {@code [CLS] … [SEP]} around the text, truncated
 * to {@code maxLength} ids. Reads a Hugging Face {@code tokenizer.json} or a {@code vocab.txt}. Batches pad with
 * {@code [PAD]} to the longest row. Immutable and thread-safe.
 *
 * <pre>{@code
 * WordPieceTokenizer t = WordPieceTokenizer.fromTokenizerJson(Path.of("tokenizer.json"));
 * t.encode("Unaffable!").tokens();   // [[CLS], una, ##ffa, ##ble, !, [SEP]]
 * }</pre>
 */
public final class WordPieceTokenizer implements Tokenizer {
    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final BertNormalizer normalizer;
    private final String prefix;
    private final int maxInputCharsPerWord;
    private final int maxLength;
    private final int unk;
    private final int cls;
    private final int sep;
    private final int pad;

    /**
     * @param vocab                token → id (ids dense from 0)
     * @param normalizer           basic tokenization settings
     * @param prefix               continuation prefix, {@code ##}
     * @param maxInputCharsPerWord longer words become [UNK]
     * @param maxLength            most ids per text, [CLS] and [SEP] included
     */
    public WordPieceTokenizer(Map<String, Integer> vocab, BertNormalizer normalizer, String prefix,
            int maxInputCharsPerWord, int maxLength) {
        this.vocab = Map.copyOf(vocab);
        this.tokens = new String[vocab.size()];
        vocab.forEach((t, id) -> {
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new BadInputException("vocabulary ids must be 0.." + (tokens.length - 1) + " without gaps or"
                        + " repeats; id " + id + " ('" + t + "') breaks that");
            }
            tokens[id] = t;
        });
        this.normalizer = normalizer;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        if (maxLength < 3) {
            throw new BadInputException("maxLength must leave room for [CLS], [SEP] and a token: 3 or more, got "
                    + maxLength);
        }
        this.maxLength = maxLength;
        this.unk = special("[UNK]");
        this.cls = special("[CLS]");
        this.sep = special("[SEP]");
        this.pad = special("[PAD]");
    }

    private int special(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new BadInputException("the vocabulary has no " + token + " token: it is not a BERT vocabulary");
        }
        return id;
    }

    /** Reads a Hugging Face {@code tokenizer.json} with a WordPiece model and a BERT normaliser. */
    public static WordPieceTokenizer fromTokenizerJson(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException("cannot read tokenizer " + file + ": " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
        JsonNode model = root.path("model");
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new BadInputException(file + " is not a WordPiece tokenizer (model type '"
                    + model.path("type").asText() + "')");
        }
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        JsonNode n = root.path("normalizer");
        boolean lowercase = n.path("lowercase").asBoolean(true);
        boolean strip = n.path("strip_accents").isNull() || n.path("strip_accents").isMissingNode() ? lowercase
                : n.path("strip_accents").asBoolean();
        BertNormalizer normalizer = new BertNormalizer(n.path("clean_text").asBoolean(true),
                n.path("handle_chinese_chars").asBoolean(true), strip, lowercase);
        int maxLength = root.path("truncation").path("max_length").asInt(512);
        return new WordPieceTokenizer(vocab, normalizer, model.path("continuing_subword_prefix").asText("##"),
                model.path("max_input_chars_per_word").asInt(100), maxLength);
    }

    /** Reads a {@code vocab.txt} (one token a line, id = line number), with BERT's usual settings. */
    public static WordPieceTokenizer fromVocabTxt(Path file, boolean lowercase, int maxLength) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            Map<String, Integer> vocab = new HashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                if (vocab.putIfAbsent(lines.get(i), i) != null) {
                    throw new BadInputException(file + " has '" + lines.get(i) + "' twice (line " + (i + 1) + ")");
                }
            }
            return new WordPieceTokenizer(vocab, new BertNormalizer(true, true, lowercase, lowercase), "##", 100,
                    maxLength);
        } catch (IOException e) {
            throw new BadInputException("cannot read vocabulary " + file + ": " + e.getMessage());
        }
    }

    /**
     * A lower-casing tokenizer whose vocabulary is the specials and every word of {@code texts} (whole words, no
     * sub-words): for pretraining on a small corpus, which needs no 30 k-entry vocabulary.
     */
    public static WordPieceTokenizer ofCorpusWords(List<String> texts, int maxLength) {
        BertNormalizer basic = new BertNormalizer(true, true, true, true);
        java.util.TreeSet<String> words = new java.util.TreeSet<>();
        texts.forEach(t -> words.addAll(basic.words(t)));
        Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            vocab.put(special, vocab.size());
        }
        words.forEach(w -> vocab.putIfAbsent(w, vocab.size()));
        return new WordPieceTokenizer(vocab, basic, "##", 100, maxLength);
    }

    /** The WordPiece ids of a text, without [CLS]/[SEP] and without truncation. */
    public List<Integer> wordPieces(String text) {
        List<Integer> ids = new ArrayList<>();
        for (String word : normalizer.words(text)) {
            split(word, ids);
        }
        return ids;
    }

    private void split(String word, List<Integer> out) {
        int chars = word.codePointCount(0, word.length());
        if (chars > maxInputCharsPerWord) {
            out.add(unk);
            return;
        }
        int size = out.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            while (start < end) {
                String piece = (start > 0 ? prefix : "") + word.substring(start, end);
                found = vocab.get(piece);
                if (found != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                out.subList(size, out.size()).clear();
                out.add(unk);
                return;
            }
            out.add(found);
            start = end;
        }
    }

    @Override
    public String name() {
        return "wordpiece";
    }

    @Override
    public int vocabularySize() {
        return tokens.length;
    }

    @Override
    public int padId() {
        return pad;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The same tokenizer with another maximum length. */
    public WordPieceTokenizer withMaxLength(int newMaxLength) {
        return new WordPieceTokenizer(vocab, normalizer, prefix, maxInputCharsPerWord, newMaxLength);
    }

    @Override
    public Encoding encode(String text) {
        if (text == null || text.isBlank()) {
            throw new BadInputException("text is empty: give at least one word to embed or tokenize");
        }
        List<Integer> pieces = wordPieces(text);
        boolean truncated = pieces.size() > maxLength - 2;
        List<Integer> kept = truncated ? pieces.subList(0, maxLength - 2) : pieces;
        int[] ids = new int[kept.size() + 2];
        ids[0] = cls;
        for (int i = 0; i < kept.size(); i++) {
            ids[i + 1] = kept.get(i);
        }
        ids[ids.length - 1] = sep;
        List<String> toks = new ArrayList<>(ids.length);
        for (int id : ids) {
            toks.add(tokens[id]);
        }
        int[] mask = new int[ids.length];
        Arrays.fill(mask, 1);
        return new Encoding(ids, toks, mask, truncated);
    }

    /** Ids of a special token ([CLS], [SEP], [MASK], [PAD], [UNK]). */
    public int specialId(String token) {
        return special(token);
    }

    /**
     * A sentence pair as BERT reads it: {@code [CLS] A [SEP] B [SEP]}, token types 0 for A's part and 1 for B's,
     * the longer side cut first until the pair fits {@code maxLength}. Returns {ids, token types}.
     */
    public int[][] encodePair(String a, String b) {
        List<Integer> pa = new ArrayList<>(wordPieces(a));
        List<Integer> pb = new ArrayList<>(wordPieces(b));
        if (pa.isEmpty() || pb.isEmpty()) {
            throw new BadInputException("both texts of a pair need at least one word");
        }
        while (pa.size() + pb.size() > maxLength - 3) {
            List<Integer> longer = pa.size() >= pb.size() ? pa : pb;
            longer.remove(longer.size() - 1);
        }
        int[] ids = new int[pa.size() + pb.size() + 3];
        int[] types = new int[ids.length];
        int k = 0;
        ids[k++] = cls;
        for (int id : pa) {
            ids[k++] = id;
        }
        ids[k++] = sep;
        for (int id : pb) {
            types[k] = 1;
            ids[k++] = id;
        }
        types[k] = 1;
        ids[k] = sep;
        return new int[][] {ids, types};
    }

    /**
     * A batch of sentence pairs ({@code firsts[i]}, {@code seconds[i]}), padded to the longest, with token-type ids
     * 0 for the first text's part and 1 for the second's: what cross-encoders and next-sentence prediction read.
     */
    public TokenBatch encodePairs(List<String> firsts, List<String> seconds) {
        if (firsts.size() != seconds.size() || firsts.isEmpty()) {
            throw new BadInputException("give as many second texts as first texts (and at least one pair)");
        }
        List<Encoding> encodings = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        for (int i = 0; i < firsts.size(); i++) {
            int[][] pair = encodePair(firsts.get(i), seconds.get(i));
            List<String> toks = new ArrayList<>();
            for (int id : pair[0]) {
                toks.add(tokens[id]);
            }
            int[] mask = new int[pair[0].length];
            Arrays.fill(mask, 1);
            encodings.add(new Encoding(pair[0], toks, mask, false));
            types.add(pair[1]);
        }
        TokenBatch ids = TokenBatch.pad(encodings, pad, 0, tokens.length);
        long[][] typeRows = new long[types.size()][ids.length()];
        for (int i = 0; i < types.size(); i++) {
            for (int j = 0; j < types.get(i).length; j++) {
                typeRows[i][j] = types.get(i)[j];
            }
        }
        return new TokenBatch(ids.inputIds(), ids.attentionMask(), ids.encodings(), ids.vocabularySize(),
                org.nd4j.linalg.factory.Nd4j.createFromArray(typeRows));
    }

    @Override
    public TokenBatch encodeBatch(List<String> texts) {
        return TokenBatch.pad(encodeEach(texts), pad, 0, tokens.length);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            if (id == pad || id == cls || id == sep) {
                continue;
            }
            String t = token(id);
            if (t.startsWith(prefix)) {
                out.append(t, prefix.length(), t.length());
            } else {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(t);
            }
        }
        return out.toString();
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new BadInputException("token id " + id + " is outside the vocabulary (0.." + (tokens.length - 1) + ")");
        }
        return tokens[id];
    }
}
