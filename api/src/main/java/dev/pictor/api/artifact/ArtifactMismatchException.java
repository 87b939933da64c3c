package dev.pictor.api.artifact;

import dev.pictor.api.BadInputException;

/**
 * An artifact's bytes do not have the SHA-256 that was pinned for it; the file was refused and nothing was cached.
 *
 * <pre>{@code
 * try {
 *     store.resolve(artifact, loader);
 * } catch (ArtifactMismatchException e) {
 *     System.err.println(e.getMessage());   // names both hashes and what to fix
 * }
 * }</pre>
 */
public class ArtifactMismatchException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ArtifactMismatchException(String message) {
        super(message);
    }
}
