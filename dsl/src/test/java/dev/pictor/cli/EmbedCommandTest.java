package dev.pictor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pictor embed}'s input checks: they all fail before the pipeline is opened. */
class EmbedCommandTest {
    @TempDir
    Path dir;

    private String[] embed(String... input) throws Exception {
        String[] args = new String[4 + input.length];
        args[0] = "--plugins";
        args[1] = Files.createDirectories(dir.resolve("plugins.d")).toString();
        args[2] = "embed";
        args[3] = "--pipeline=minilm-l6";
        System.arraycopy(input, 0, args, 4, input.length);
        return args;
    }

    /** Exit code and stderr; stdout must stay empty. */
    private String[] run(String... args) {
        CliRun r = CliRun.cli(args);
        assertThat(r.out()).isEmpty();
        return new String[] {String.valueOf(r.code()), r.err()};
    }

    @Test
    void anEmptyTextIsNamedAsTheOptionItCameFrom() throws Exception {
        String nl = System.lineSeparator();
        assertThat(run(embed("--text", ""))).containsExactly("2", "error: --text is empty: give a non-empty text" + nl);
        assertThat(run(embed("--text", "a cat", "--text", "  "))).containsExactly("2",
                "error: --text 2 of 2 is empty: give a non-empty text" + nl);
    }

    @Test
    void fileProblemsNameTheFileAndLine() throws Exception {
        String nl = System.lineSeparator();
        Path blank = Files.writeString(dir.resolve("blank.txt"), "a cat\n\na dog\n");
        assertThat(run(embed("--texts", blank.toString()))).containsExactly("2",
                "error: line 2 of " + blank + " is empty: give a non-empty text" + nl);
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9});
        assertThat(run(embed("--texts", latin1.toString()))).containsExactly("2",
                "error: file " + latin1 + " is not valid UTF-8 at line 2 (byte 0xE9): save it as UTF-8" + nl);
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertThat(run(embed("--texts", empty.toString()))).containsExactly("2",
                "error: file " + empty + " has no lines: one text a line" + nl);
    }
}
