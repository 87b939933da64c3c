package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns byte-level BPE merges from a corpus, for the zoo's own CLIP models: the same cleaning, pre-tokenisation
 * and byte symbols as OpenAI's tokenizer, so the result plugs into {@link ClipBpeTokenizer#fromMerges} and the
 * vocabulary keeps CLIP's layout (bytes, bytes with the end-of-word mark, merges, start, end). Each round merges the
 * most frequent adjacent pair of symbols over the corpus's words (weighted by how often each word occurs); ties go
 * to the pair that sorts first, so the merges are a function of the corpus alone. Training stops at the wanted
 * vocabulary size or when every word is one symbol.
 *
 * <p>Why not a library: Hugging Face's tokenizers trains BPE but not with CLIP's pre-tokenizer and byte map, and its
 * Java binding (DJL) ships no trainer; the algorithm is a few dozen lines.
 *
 * <pre>{@code
 * List<String> merges = BpeTrainer.train(captions, 1024);
 * ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMerges(merges, 32);   // 512 + merges + 2 ids
 * }</pre>
 */
public final class BpeTrainer {
    /** Byte symbols with and without the end-of-word mark, plus start and end: the smallest vocabulary. */
    public static final int BASE = 512 + 2;

    private BpeTrainer() {
    }

    /** Merges for a vocabulary of at most {@code vocabularySize} ids learned from {@code texts}. */
    public static List<String> train(Iterable<String> texts, int vocabularySize) {
        if (vocabularySize < BASE) {
            throw new BadInputException("a CLIP BPE vocabulary has at least " + BASE + " ids (bytes, bytes ending a"
                    + " word, start, end), asked for " + vocabularySize);
        }
        char[] symbol = ClipBpeTokenizer.byteSymbols();
        // word (as its symbol list) -> count
        Map<List<String>, Integer> words = new HashMap<>();
        for (String text : texts) {
            for (String piece : ClipBpeTokenizer.pieces(text)) {
                byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
                List<String> w = new ArrayList<>(bytes.length);
                for (int i = 0; i < bytes.length; i++) {
                    String s = String.valueOf(symbol[bytes[i] & 0xFF]);
                    w.add(i == bytes.length - 1 ? s + "</w>" : s);
                }
                words.merge(w, 1, Integer::sum);
            }
        }
        List<String> merges = new ArrayList<>();
        List<List<String>> keys = new ArrayList<>(words.keySet());
        List<Integer> counts = new ArrayList<>();
        keys.forEach(k -> counts.add(words.get(k)));
        while (BASE + merges.size() < vocabularySize) {
            TreeMap<String, Long> pairs = new TreeMap<>();
            for (int i = 0; i < keys.size(); i++) {
                List<String> w = keys.get(i);
                for (int j = 0; j + 1 < w.size(); j++) {
                    pairs.merge(w.get(j) + " " + w.get(j + 1), (long) counts.get(i), Long::sum);
                }
            }
            if (pairs.isEmpty()) {
                break;
            }
            String best = null;
            long bestCount = -1;
            for (Map.Entry<String, Long> e : pairs.entrySet()) {   // sorted: the first of equal counts wins
                if (e.getValue() > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            merges.add(best);
            int space = best.indexOf(' ');
            String a = best.substring(0, space);
            String b = best.substring(space + 1);
            for (int i = 0; i < keys.size(); i++) {
                keys.set(i, ClipBpeTokenizer.mergePair(keys.get(i), a, b));
            }
        }
        return List.copyOf(merges);
    }
}
