package dev.pictor.sample;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte-level tokenizer: every UTF-8 byte {@code b} of the text is token {@code b + 1}; 0 is padding. It never
 * needs {@code [UNK]}, which is why byte-level schemes underlie CLIP's and GPT-2's BPE.
 *
 * <pre>{@code
 * new Utf8BytesTokenizer(256).encode("hé").ids();   // [105, 196, 170]
 * }</pre>
 */
public final class Utf8BytesTokenizer implements Tokenizer {
    private final int maxLength;

    public Utf8BytesTokenizer(int maxLength) {
        if (maxLength < 1) {
            throw new BadInputException("tokenizer 'utf8-bytes': maxLength must be 1 or more, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public String name() {
        return "utf8-bytes";
    }

    @Override
    public int vocabularySize() {
        return 257;
    }

    @Override
    public int padId() {
        return 0;
    }

    @Override
    public Encoding encode(String text) {
        if (text == null || text.isEmpty()) {
            throw new BadInputException("text is empty: give at least one character to tokenize");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, maxLength);
        int[] ids = new int[n];
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids[i] = (bytes[i] & 0xFF) + 1;
            tokens.add(token(ids[i]));
        }
        int[] mask = new int[n];
        Arrays.fill(mask, 1);
        return new Encoding(ids, tokens, mask, bytes.length > maxLength);
    }

    @Override
    public TokenBatch encodeBatch(List<String> texts) {
        return TokenBatch.pad(encodeEach(texts), padId(), 0, vocabularySize());
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id > 0) {
                out.write(id - 1);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String token(int id) {
        if (id == 0) {
            return "[PAD]";
        }
        int b = id - 1;
        return b >= 0x21 && b < 0x7F ? String.valueOf((char) b) : String.format("<0x%02X>", b);
    }
}
