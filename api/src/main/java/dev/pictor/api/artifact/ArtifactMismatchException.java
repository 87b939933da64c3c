package dev.pictor.api.artifact;

import dev.pictor.api.BadInputException;

/** An artifact's bytes do not have the SHA-256 that was pinned for it; the file was refused. */
public class ArtifactMismatchException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ArtifactMismatchException(String message) {
        super(message);
    }
}
