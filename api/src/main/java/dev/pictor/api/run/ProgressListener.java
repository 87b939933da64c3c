package dev.pictor.api.run;

/**
 * Receives progress of long work (sampling steps, downloads, batches). Called on the working thread: keep it
 * quick. The CLI draws a progress bar from it; tests count calls.
 *
 * <pre>{@code
 * ProgressListener print = (stage, done, total) -> System.err.printf("%s %d/%d%n", stage, done, total);
 * }</pre>
 */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores everything. */
    ProgressListener NONE = (stage, done, total) -> {
    };

    /**
     * @param stage what is being done, e.g. {@code "sampling"}
     * @param done  units finished so far
     * @param total units in all, or -1 if unknown
     */
    void onProgress(String stage, long done, long total);
}
