package dev.pictor.api.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one options parser and the one text-input rule that every task and front end share. */
class TaskInputsTest {
    @TempDir
    Path dir;

    @Test
    void unknownOptionsGetDidYouMeanAndValuesOneRule() {
        assertThatThrownBy(() -> TaskOptions.of("generate", Map.of("stpes", 20), List.of("steps", "seed")))
                .isInstanceOf(BadInputException.class)
                .hasMessage("generate: unknown option 'stpes': did you mean 'steps'? (options: seed, steps)");
        TaskOptions o = TaskOptions.of("generate", Map.of("steps", "20", "seed", 7.0), List.of("steps", "seed"));
        assertThat(o.integer("steps", 1)).isEqualTo(20);
        assertThat(o.longInteger("seed", 0)).isEqualTo(7);
        assertThatThrownBy(() -> TaskOptions.of("generate", Map.of("steps", "many"), List.of("steps"))
                .integer("steps", 1)).hasMessage("generate: option 'steps' must be a whole number, got 'many'");
        assertThatThrownBy(() -> TaskOptions.of("embed", Map.of("text", "a", "file", "b"), Embed.OPTIONS)
                .atMostOne("text", "texts", "file")).hasMessageContaining("give only one of text, texts, file");
    }

    @Test
    void blankTextsAreErrorsNamingWhereTheyCameFrom() throws Exception {
        Path f = Files.writeString(dir.resolve("t.txt"), "one\n\nthree\n");
        assertThatThrownBy(() -> TextInput.file(f)).hasMessage("line 2 of " + f + " is empty: give a non-empty text");
        assertThatThrownBy(() -> TextInput.of(List.of("a", " "), "--text"))
                .hasMessage("--text 2 of 2 is empty: give a non-empty text");
        Path empty = Files.writeString(dir.resolve("e.txt"), "");
        assertThatThrownBy(() -> TextInput.file(empty)).hasMessageContaining("has no lines");
        Files.writeString(dir.resolve("t2.txt"), "a red circle\n");
        TextInput in = TextInput.from(TaskOptions.of("embed", Map.of("file", "t2.txt"), Embed.OPTIONS), dir);
        assertThat(in.texts()).containsExactly("a red circle");
    }

    @Test
    void aTokenizersErrorIsPlacedInTheWholeInput() {
        BadInputException e = new BadInputException("text 3 of 32: text has a word the tokenizer rejects");
        TextInput file = new TextInput(Collections.nCopies(100, "x"), n -> "line " + n + " of t.txt");
        assertThat(Embed.relocate(e, 64, file)).hasMessage("line 67 of t.txt: text has a word the tokenizer rejects")
                .hasCause(e);
        assertThat(Embed.relocate(e, 0, TextInput.of(Collections.nCopies(5, "x"), "--text")))
                .hasMessage("--text 3 of 5: text has a word the tokenizer rejects");
        BadInputException other = new BadInputException("vocabulary file is missing");
        assertThat(Embed.relocate(other, 32, file)).isSameAs(other);
    }
}
