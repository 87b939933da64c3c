package dev.pictor.api.spi;

import java.util.List;

/**
 * Text &#8644; token ids.
 *
 * <p><b>Contract.</b> {@link #encode(String)} maps one text to an {@link Encoding} (ids, tokens, attention
 * mask), applying the tokenizer's own special tokens and truncation (settings given when it was created).
 * {@link #encodeBatch(List)} pads a batch to its longest row (or to a fixed length where the tokenizer is set
 * to) and returns a {@link TokenBatch} whose arrays are new and owned by the caller. Ids are in
 * {@code [0, vocabularySize())}; id {@link #padId()} is padding and has mask 0.
 * An empty or blank text is an error ({@code BadInputException}), never a silent empty row.
 *
 * <p><b>Threads.</b> Implementations are immutable after construction and safe to share between threads.
 *
 * <pre>{@code
 * Tokenizer words = pipeline.tokenizer();
 * Encoding e = words.encode("a red circle");        // ids [5, 9, 17], mask [1, 1, 1]
 * TokenBatch b = words.encodeBatch(List.of("a red circle", "a square"));  // ids [2, 3] INT64
 * String back = words.decode(e.ids());              // "a red circle"
 * }</pre>
 */
public interface Tokenizer extends Component {

    /** Number of distinct ids, special tokens included. */
    int vocabularySize();

    /** The id used for padding. */
    int padId();

    /** Tokenizes one text. */
    Encoding encode(String text);

    /**
     * Tokenizes many texts into one padded batch: {@code inputIds} and {@code attentionMask} are
     * {@code [batch, length]} INT64 arrays, owned by the caller.
     */
    TokenBatch encodeBatch(List<String> texts);

    /**
     * Encodes each text with {@link #encode}; a bad text's error names its position ("text 3 of 10: …"). The
     * usual first half of {@link #encodeBatch}, before {@link TokenBatch#pad}.
     */
    default List<Encoding> encodeEach(List<String> texts) {
        if (texts.isEmpty()) {
            throw new dev.pictor.api.BadInputException("no texts to tokenize: give at least one");
        }
        List<Encoding> out = new java.util.ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                out.add(encode(texts.get(i)));
            } catch (dev.pictor.api.BadInputException e) {
                throw new dev.pictor.api.BadInputException("text " + (i + 1) + " of " + texts.size() + ": "
                        + e.getMessage());
            }
        }
        return out;
    }

    /** Turns ids back into text; special tokens and padding are skipped. */
    String decode(int[] ids);

    /** The token string of one id, for display. */
    String token(int id);
}
