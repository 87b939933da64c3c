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
    }
}
