package dev.pictor.cli;

import dev.pictor.api.run.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal's stderr: {@code sampling [########------------]  12/30  4.1 s}. Redrawn
 * at most ten times a second; ended with a line break by {@link #finish()}. Used only when stderr is a terminal
 * and the run is not {@code --quiet}: {@link #forTerminal} gives {@link ProgressListener#NONE} otherwise, so logs
 * and pipes never see carriage returns.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintStream err) {
        this.err = err;
    }

    /** A bar when the process has a terminal and is not quiet, else nothing. */
    static ProgressListener forTerminal(PrintStream err, boolean quiet) {
        return !quiet && System.console() != null ? new ProgressBar(err) : ProgressListener.NONE;
    }

    @Override
    public void onProgress(String stage, long done, long total) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = total > 0 ? (int) (WIDTH * done / total) : 0;
        err.print(String.format(Locale.ROOT, "\r%s [%s%s] %4d/%d  %.1f s", stage, "#".repeat(filled),
                "-".repeat(WIDTH - filled), done, total, (now - start) / 1e9));
        err.flush();
        drawn = true;
    }

    /** Ends the bar's line (if one was drawn). */
    static void finish(ProgressListener listener) {
        if (listener instanceof ProgressBar bar && bar.drawn) {
            bar.err.println();
            bar.drawn = false;
        }
    }
}
