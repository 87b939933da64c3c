package dev.pictor.api.run;

/**
 * A cancellation token: the caller keeps it and calls {@link #cancel()}; long work calls
 * {@link #throwIfCancelled()} between steps and stops with a {@link CancelledException}.
 *
 * <pre>{@code
 * Cancellation c = new Cancellation();
 * executor.submit(() -> sampler.sample(unet, request, ProgressListener.NONE, c));
 * c.cancel();   // the sampler stops at its next step
 * }</pre>
 */
public final class Cancellation {
    private static final Cancellation NEVER = new Cancellation(false);

    private final boolean cancellable;
    private volatile boolean cancelled;

    /** A token that can be cancelled. */
    public Cancellation() {
        this(true);
    }

    private Cancellation(boolean cancellable) {
        this.cancellable = cancellable;
    }

    /** A token nobody can cancel. */
    public static Cancellation never() {
        return NEVER;
    }

    public void cancel() {
        if (!cancellable) {
            throw new UnsupportedOperationException("Cancellation.never() cannot be cancelled");
        }
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void throwIfCancelled() {
        if (cancelled) {
            throw new CancelledException();
        }
    }
}
