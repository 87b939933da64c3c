package dev.pictor.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
    @TempDir
    Path dir;

    private static final List<List<String>> CORPUS = List.of(
            List.of("a", "red", "circle"), List.of("a", "blue", "square"), List.of("a", "red", "square"));

    @Test
    void buildsMostFrequentFirstWithAlphabeticalTies() {
        Vocabulary v = Vocabulary.build(CORPUS, 1, 0);
        assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "a", "red", "square", "blue", "circle");
        assertThat(v.id("a")).isEqualTo(2);
        assertThat(v.id("zebra")).isEqualTo(Vocabulary.UNK_ID);
        assertThat(v.token(6)).isEqualTo("circle");
    }

    @Test
    void minCountAndMaxSizeLimitTheList() {
        assertThat(Vocabulary.build(CORPUS, 2, 0).tokens()).containsExactly("[PAD]", "[UNK]", "a", "red", "square");
        assertThat(Vocabulary.build(CORPUS, 1, 4).tokens()).containsExactly("[PAD]", "[UNK]", "a", "red");
        assertThatThrownBy(() -> Vocabulary.build(CORPUS, 0, 0)).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> Vocabulary.build(CORPUS, 1, 2)).isInstanceOf(BadInputException.class);
    }

    @Test
    void writesAndReadsBack() {
        Vocabulary v = Vocabulary.build(CORPUS, 1, 0);
        Path file = dir.resolve("v.vocab");
        v.write(file);
        assertThat(Vocabulary.read(file)).isEqualTo(v);
    }

    @Test
    void rejectsMalformedFiles() throws Exception {
        Files.writeString(dir.resolve("nospecials.vocab"), "a\nb\n");
        assertThatThrownBy(() -> Vocabulary.read(dir.resolve("nospecials.vocab")))
                .hasMessageContaining("must start with [PAD] and [UNK]");
        Files.writeString(dir.resolve("dup.vocab"), "[PAD]\n[UNK]\na\na\n");
        assertThatThrownBy(() -> Vocabulary.read(dir.resolve("dup.vocab"))).hasMessageContaining("'a' twice (line 4)");
        Files.write(dir.resolve("latin1.vocab"), new byte[] {'[', 'P', 'A', 'D', ']', '\n', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> Vocabulary.read(dir.resolve("latin1.vocab"))).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> Vocabulary.of(List.of("a b"))).hasMessageContaining("has spaces");
        assertThatThrownBy(() -> Vocabulary.of(List.of()).token(5)).hasMessageContaining("outside the vocabulary");
    }
}
