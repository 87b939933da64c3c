package dev.pictor.api.io;

import dev.pictor.api.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reading the text files users hand to Pictor (texts to embed, vocabularies, corpora): strict UTF-8, and every
 * failure a one-line {@link BadInputException} naming the file and the fix; bytes that are not UTF-8 are reported
 * with the 1-based line they are on.
 *
 * <pre>{@code
 * List<String> texts = TextFiles.readLines(Path.of("texts.txt"), "file", "");
 * // a Latin-1 'é' on line 3: "file texts.txt is not valid UTF-8 at line 3 (byte 0xE9): save it as UTF-8"
 * }</pre>
 */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * All lines of a UTF-8 file (a mutable list). Lines end at {@code \n}, {@code \r\n} or {@code \r}, as
     * {@link Files#readAllLines}: a final line break adds no empty line.
     *
     * @param what what the file is, for messages ("file", "vocabulary", "documents file")
     * @param hint appended to the not-found message (may be empty)
     */
    public static List<String> readLines(Path file, String what, String hint) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(what + " not found: " + file + (hint.isEmpty() ? "" : " " + hint));
        } catch (IOException e) {
            throw new BadInputException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
        return split(decode(bytes, file, what));
    }

    private static CharSequence decode(byte[] bytes, Path file, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);   // UTF-8 never gives more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            throw new BadInputException(what + " " + file + " is not valid UTF-8 at line " + lineOf(bytes, at)
                    + " (byte 0x" + String.format(Locale.ROOT, "%02X", bytes[at] & 0xff) + "): save it as UTF-8");
        }
        return out.flip();
    }

    /** The 1-based line of byte {@code at}, counting breaks as {@link #split} does (CR and LF are ASCII in UTF-8). */
    static int lineOf(byte[] bytes, int at) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (bytes[i] == '\n') {
                line++;
            } else if (bytes[i] == '\r') {
                line++;
                if (i + 1 < at && bytes[i + 1] == '\n') {
                    i++;
                }
            }
        }
        return line;
    }

    private static List<String> split(CharSequence text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.subSequence(start, i).toString());
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            lines.add(text.subSequence(start, n).toString());
        }
        return lines;
    }
}
