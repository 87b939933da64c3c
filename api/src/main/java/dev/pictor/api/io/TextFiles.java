package dev.pictor.api.io;

import dev.pictor.api.BadInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading the text files users hand to Pictor (texts to embed, vocabularies, corpora): strict UTF-8, and every
 * failure a one-line {@link BadInputException} naming the file and the fix.
 *
 * <pre>{@code
 * List<String> texts = TextFiles.readLines(Path.of("texts.txt"), "file", "");
 * }</pre>
 */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * All lines of a UTF-8 file (a mutable list).
     *
     * @param what what the file is, for messages ("file", "vocabulary", "documents file")
     * @param hint appended to the not-found message (may be empty)
     */
    public static List<String> readLines(Path file, String what, String hint) {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new BadInputException(what + " not found: " + file + (hint.isEmpty() ? "" : " " + hint));
        } catch (CharacterCodingException e) {
            throw new BadInputException(what + " " + file + " is not valid UTF-8: save it as UTF-8");
        } catch (IOException e) {
            throw new BadInputException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }
}
