package dev.pictor.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTokenizerTest {
    @TempDir
    Path dir;

    private WordPieceTokenizer tiny(int maxLength) throws Exception {
        Path vocab = Files.write(dir.resolve("vocab.txt"), List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un",
                "##aff", "##able", "aff", "!", "the", "cat", "##s", "c", "##a", "##t"));
        return WordPieceTokenizer.fromVocabTxt(vocab, true, maxLength);
    }

    @Test
    void splitsGreedilyIntoLongestPieces() throws Exception {
        WordPieceTokenizer t = tiny(16);
        assertThat(t.encode("Unaffable!").tokens()).containsExactly("[CLS]", "un", "##aff", "##able", "!", "[SEP]");
        assertThat(t.encode("cats").tokens()).containsExactly("[CLS]", "cat", "##s", "[SEP]");
        assertThat(t.encode("unknownword the").tokens()).containsExactly("[CLS]", "[UNK]", "the", "[SEP]");
        assertThat(t.decode(t.encode("Unaffable cats").ids())).isEqualTo("unaffable cats");
    }

    @Test
    void truncatesToMaxLengthKeepingClsAndSep() throws Exception {
        WordPieceTokenizer t = tiny(5);
        var e = t.encode("the cat the cat the cat");
        assertThat(e.tokens()).containsExactly("[CLS]", "the", "cat", "the", "[SEP]");
        assertThat(e.truncated()).isTrue();
    }

    @Test
    void batchesPadWithPadAndMaskZero() throws Exception {
        TokenBatch b = tiny(16).encodeBatch(List.of("the cat", "cats the cat"));
        assertThat(b.inputIds().toLongMatrix()).isEqualTo(new long[][] {{2, 10, 11, 3, 0, 0}, {2, 11, 12, 10, 11, 3}});
        assertThat(b.attentionMask().toLongMatrix()[0]).containsExactly(1, 1, 1, 1, 0, 0);
    }

    @Test
    void badInputsAreClearErrors() throws Exception {
        assertThatThrownBy(() -> tiny(16).encode("  ")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("text is empty");
        Path noSpecials = Files.write(dir.resolve("v2.txt"), List.of("a", "b"));
        assertThatThrownBy(() -> WordPieceTokenizer.fromVocabTxt(noSpecials, true, 16))
                .hasMessageContaining("no [UNK] token");
        Path notJson = Files.writeString(dir.resolve("t.json"), "{\"model\": {\"type\": \"BPE\"}}");
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(notJson))
                .hasMessageContaining("is not a WordPiece tokenizer");
    }
}
