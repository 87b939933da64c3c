package dev.pictor.api;

/**
 * An error meant for a person: its message is one line that names the problem and the fix.
 *
 * <p>Everything Pictor throws on purpose is a {@code PictorException}; the CLI prints its message alone
 * (no stack trace unless {@code --stacktrace}) and exits with 1, or 2 for a {@link BadInputException}.
 *
 * <pre>{@code
 * throw new PictorException("cache folder /x is not writable: set PICTOR_CACHE to a writable folder");
 * }</pre>
 */
public class PictorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PictorException(String message) {
        super(message);
    }

    public PictorException(String message, Throwable cause) {
        super(message, cause);
    }
}
