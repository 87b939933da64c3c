package dev.pictor.api.artifact;

import dev.pictor.api.BadInputException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file a pipeline needs (weights, a vocabulary), named and pinned by its SHA-256.
 *
 * <p>Sources are tried in order. Forms: {@code classpath:path/in/jar}, {@code file:/abs/path} or a plain path,
 * {@code maven:group:artifact:version[:classifier]!path/in/jar} (read from the local Maven repository), and
 * {@code https://…} (only when the store is online).
 *
 * @param name    file name, also its name in the cache, e.g. {@code "shapes-words.vocab"}
 * @param sha256  64 lower-case hex digits
 * @param sources where the bytes can be had
 *
 * <pre>{@code
 * Artifact vocab = new Artifact("shapes-words.vocab", "9f2c…", List.of("classpath:pictor/zoo/shapes-words.vocab"));
 * Path local = store.resolve(vocab, getClass().getClassLoader());
 * }</pre>
 */
public record Artifact(String name, String sha256, List<String> sources) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public Artifact {
        Objects.requireNonNull(name, "name");
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new BadInputException("artifact name '" + name + "' must be a plain file name (letters, digits, . _ -)");
        }
        sha256 = Objects.requireNonNull(sha256, "sha256").toLowerCase(Locale.ROOT);
        if (!HEX64.matcher(sha256).matches()) {
            throw new BadInputException("artifact '" + name + "' has a malformed SHA-256 '" + sha256
                    + "': it must be 64 hex digits");
        }
        sources = List.copyOf(sources);
        for (String source : sources) {
            checkSource(name, source);
        }
    }

    private static final Pattern MAVEN = Pattern.compile("maven:[^:!]+:[^:!]+:[^:!]+(:[^:!]+)?(![^!]+)+");

    /** Rejects a source no resolver could read, naming the forms that work. */
    private static void checkSource(String name, String source) {
        String problem = null;
        try {
            if (source == null || source.isBlank()) {
                problem = "is empty";
            } else if (source.startsWith("classpath:")) {
                problem = source.length() > "classpath:".length() ? null : "names no resource";
            } else if (source.startsWith("maven:")) {
                problem = MAVEN.matcher(source).matches() ? null : "is not maven:GROUP:ARTIFACT:VERSION[:CLASSIFIER]!PATH[!PATH-IN-ARCHIVE]";
            } else if (source.startsWith("http://") || source.startsWith("https://")) {
                java.net.URI.create(source).toURL();
            } else if (source.startsWith("file:")) {
                java.nio.file.Path.of(java.net.URI.create(source));
            } else {
                java.nio.file.Path.of(source);
            }
        } catch (IllegalArgumentException | java.net.MalformedURLException
                 | java.nio.file.FileSystemNotFoundException e) {
            problem = "is malformed (" + e.getMessage() + ")";
        }
        if (problem != null) {
            throw new BadInputException("artifact '" + name + "': source '" + source + "' " + problem + "; use"
                    + " classpath:PATH, file:/ABSOLUTE/PATH, a path, maven:G:A:V!PATH or https://…");
        }
    }
}
