package dev.pictor.bert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The real all-MiniLM-L6-v2 files (from the langchain4j jar on the test class path), copied once per test JVM to a
 * temporary folder that is deleted at exit.
 */
public final class MiniLmFiles {
    private static Path dir;

    private MiniLmFiles() {
    }

    public static synchronized Path tokenizerJson() {
        return extract("all-minilm-l6-v2-tokenizer.json");
    }

    public static synchronized Path onnx() {
        return extract("all-minilm-l6-v2.onnx");
    }

    private static Path extract(String name) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("minilm");
                dir.toFile().deleteOnExit();
            }
            Path p = dir.resolve(name);
            if (!Files.exists(p)) {
                try (InputStream in = MiniLmFiles.class.getResourceAsStream("/" + name)) {
                    Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
                }
                p.toFile().deleteOnExit();
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
