package dev.pictor.api.run;

import dev.pictor.api.PictorException;

/**
 * Work was stopped through its {@link Cancellation}; nothing partial was written.
 *
 * <pre>{@code
 * try {
 *     sampler.sample(unet, request, progress, cancellation);
 * } catch (CancelledException e) {
 *     // the user pressed stop: no output to clean up
 * }
 * }</pre>
 */
public class CancelledException extends PictorException {
    private static final long serialVersionUID = 1L;

    public CancelledException() {
        super("cancelled: the run was stopped before it finished; nothing partial was written");
    }
}
