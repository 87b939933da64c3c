package dev.pictor.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[]... parts) throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.write(p);
        }
        return Files.write(dir.resolve(name), all.toByteArray());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void splitsLinesAsFilesReadAllLinesDoes() throws Exception {
        String[] samples = {"", "a", "a\n", "\n", "a\r\nb\rc\n\n", "\uFEFFé ü\n汉字\r\n\r\n", "x\r", "\r\n\r", "🙂\n"};
        for (int i = 0; i < samples.length; i++) {
            Path f = write("s" + i + ".txt", utf8(samples[i]));
            assertThat(TextFiles.readLines(f, "file", "")).as("%s", samples[i].replace("\r", "\\r")
                    .replace("\n", "\\n")).isEqualTo(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
    }

    @Test
    void namesTheFileAndTheLineOfBytesThatAreNotUtf8() throws Exception {
        byte[] latin1E = {(byte) 0xE9};
        Path lf = write("lf.txt", utf8("one\ntwo\nthr"), latin1E, utf8("e\nfour\n"));
        assertThatThrownBy(() -> TextFiles.readLines(lf, "file", "")).isInstanceOf(BadInputException.class)
                .hasMessage("file " + lf + " is not valid UTF-8 at line 3 (byte 0xE9): save it as UTF-8");

        Path crlf = write("crlf.txt", utf8("é fine\r\n\r\nok\r\n"), latin1E, utf8("\r\n"));
        assertThatThrownBy(() -> TextFiles.readLines(crlf, "vocabulary", ""))
                .hasMessage("vocabulary " + crlf + " is not valid UTF-8 at line 4 (byte 0xE9): save it as UTF-8");

        Path cr = write("cr.txt", utf8("a\rb\r"), latin1E);
        assertThatThrownBy(() -> TextFiles.readLines(cr, "file", "")).hasMessageContaining("at line 3 ");

        Path first = write("first.txt", latin1E, utf8("\nsecond\n"));
        assertThatThrownBy(() -> TextFiles.readLines(first, "file", "")).hasMessageContaining("at line 1 ");

        // a multi-byte sequence cut short by the end of the file, and an encoded surrogate, on line 2
        Path cut = write("cut.txt", utf8("ok\nno"), new byte[] {(byte) 0xE6, (byte) 0xB1});
        assertThatThrownBy(() -> TextFiles.readLines(cut, "file", ""))
                .hasMessageContaining("at line 2 (byte 0xE6)");
        Path surrogate = write("sur.txt", utf8("ok\n"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        assertThatThrownBy(() -> TextFiles.readLines(surrogate, "file", ""))
                .hasMessageContaining("at line 2 (byte 0xED)");
    }

    @Test
    void aMissingFileNamesItAndTheHint() {
        Path missing = dir.resolve("absent.txt");
        assertThatThrownBy(() -> TextFiles.readLines(missing, "file", "(relative paths start at /x)"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("file not found: " + missing + " (relative paths start at /x)");
        assertThatThrownBy(() -> TextFiles.readLines(dir, "file", "")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("cannot read file " + dir);
    }
}
