package dev.pictor.api.run;

import dev.pictor.api.PictorException;

/** Work was stopped through its {@link Cancellation}; nothing partial was written. */
public class CancelledException extends PictorException {
    private static final long serialVersionUID = 1L;

    public CancelledException() {
        super("cancelled: the run was stopped before it finished; nothing partial was written");
    }
}
