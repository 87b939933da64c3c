package dev.pictor.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class WordTokenizerTest {
    private final Vocabulary vocab = Vocabulary.of(List.of("a", "red", "circle", "above", "blue", "square", "don't",
            "café", ",", "!"));
    private final WordTokenizer words = new WordTokenizer(vocab, true, 8, 0);

    @Test
    void splitsWordsAndPunctuation() {
        assertThat(WordTokenizer.split("A red circle, above  a BLUE square!", true))
                .containsExactly("a", "red", "circle", ",", "above", "a", "blue", "square", "!");
        assertThat(WordTokenizer.split("Don't stop", true)).containsExactly("don't", "stop");
        assertThat(WordTokenizer.split("x2 3.5", false)).containsExactly("x2", "3", ".", "5");
        assertThat(WordTokenizer.split("Ünïcode 日本語 text", true)).containsExactly("ünïcode", "日本語", "text");
    }

    @Test
    void normalisesToNfcBeforeLookup() {
        // "café" typed with a combining accent (NFD) finds the NFC vocabulary entry
        assertThat(words.encode("cafe\u0301").tokens()).containsExactly("café");
    }

    @Test
    void mapsUnknownWordsToUnk() {
        Encoding e = words.encode("A red zebra!");
        assertThat(e.ids()).containsExactly(2, 3, Vocabulary.UNK_ID, 11);
        assertThat(e.tokens()).containsExactly("a", "red", "[UNK]", "!");
        assertThat(e.attentionMask()).containsExactly(1, 1, 1, 1);
        assertThat(e.truncated()).isFalse();
        assertThat(words.decode(e.ids())).isEqualTo("a red [UNK]!");
    }

    @Test
    void truncatesLongTextsAndSaysSo() {
        Encoding e = words.encode("a a a a a a a a a a a");
        assertThat(e.length()).isEqualTo(8);
        assertThat(e.truncated()).isTrue();
    }

    @Test
    void rejectsEmptyText() {
        assertThatThrownBy(() -> words.encode("   ")).isInstanceOf(BadInputException.class)
                .hasMessage("text is empty: give at least one word to tokenize");
        assertThatThrownBy(() -> words.encodeBatch(List.of("a red", ""))).hasMessageStartingWith("text 2 of 2: ");
        assertThatThrownBy(() -> words.encodeBatch(List.of())).hasMessageContaining("no texts");
    }

    @Test
    void padsBatchesToTheLongestRowOrAFixedLength() {
        TokenBatch b = words.encodeBatch(List.of("a red circle", "blue"));
        assertThat(b.inputIds().dataType()).isEqualTo(DataType.INT64);
        assertThat(b.inputIds().toLongMatrix()).isEqualTo(new long[][] {{2, 3, 4}, {6, 0, 0}});
        assertThat(b.attentionMask().toLongMatrix()).isEqualTo(new long[][] {{1, 1, 1}, {1, 0, 0}});
        TokenBatch fixed = new WordTokenizer(vocab, true, 8, 5).encodeBatch(List.of("blue"));
        assertThat(fixed.inputIds().toLongMatrix()).isEqualTo(new long[][] {{6, 0, 0, 0, 0}});
    }

    @Test
    void checksItsSettings() {
        assertThatThrownBy(() -> new WordTokenizer(vocab, true, 0, 0)).hasMessageContaining("maxLength");
        assertThatThrownBy(() -> new WordTokenizer(vocab, true, 4, 5)).hasMessageContaining("padTo");
    }
}
