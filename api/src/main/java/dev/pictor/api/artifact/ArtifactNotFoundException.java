package dev.pictor.api.artifact;

import dev.pictor.api.BadInputException;

/**
 * No source of an artifact has it on this machine (an on-demand artifact not downloaded yet, a file not copied):
 * the message lists what was tried and how to get it. Unlike {@link ArtifactMismatchException}, nothing is
 * corrupt.
 */
public class ArtifactNotFoundException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ArtifactNotFoundException(String message) {
        super(message);
    }
}
