package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.io.TextFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Texts a task reads, with where each came from, so that a message about one names its line or its option. The
 * one rule for every task and front end: a text may not be blank — a blank line of a file is an error naming the
 * line (rows of the result map 1:1 to lines, so skipping would shift them).
 *
 * <pre>{@code
 * TextInput in = TextInput.file(Path.of("prompts.txt"));     // "line 3 of prompts.txt is empty: …"
 * TextInput one = TextInput.of(List.of("a red circle"), "--text");
 * }</pre>
 *
 * @param texts the texts, in order
 * @param where the source of the 1-based n-th text, e.g. "line 3 of prompts.txt" or "--text 2 of 3"
 */
public record TextInput(List<String> texts, IntFunction<String> where) {
    public TextInput {
        texts = List.copyOf(texts);
        if (texts.isEmpty()) {
            throw new BadInputException("no texts given");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new BadInputException(where.apply(i + 1) + " is empty: give a non-empty text");
            }
        }
    }

    /** One text a line of a UTF-8 file. */
    public static TextInput file(Path file) {
        List<String> lines = TextFiles.readLines(file, "file", "");
        if (lines.isEmpty()) {
            throw new BadInputException("file " + file + " has no lines: one text a line");
        }
        return new TextInput(lines, n -> "line " + n + " of " + file);
    }

    /** Texts given directly; {@code option} names them in messages ({@code --text}, {@code texts}). */
    public static TextInput of(List<String> texts, String option) {
        if (texts.isEmpty()) {
            throw new BadInputException(option + " is empty: give at least one text");
        }
        int count = texts.size();
        return new TextInput(texts, n -> count == 1 ? option : option + " " + n + " of " + count);
    }

    /**
     * From a task's options {@code text} (one), {@code texts} (a list) or {@code file} (one a line), exactly one
     * of them; relative files start at {@code base}.
     */
    public static TextInput from(TaskOptions options, Path base) {
        options.atMostOne("text", "texts", "file");
        if (options.has("text")) {
            return of(List.of(options.string("text", "")), "text");
        }
        if (options.has("texts")) {
            return of(options.strings("texts").orElseThrow(), "texts");
        }
        if (options.has("file")) {
            return file(options.path("file", base).orElseThrow());
        }
        throw new BadInputException(options.verb() + " needs one of text:, texts: or file:");
    }

    public int size() {
        return texts.size();
    }
}
