package dev.pictor.nn.train;

/**
 * Receives each training step's numbers (progress bars, loss logs, tests).
 *
 * <pre>{@code
 * TrainingListener log = (step, total, loss, lr, gradNorm) ->
 *         System.err.printf("step %d/%d loss %.4f lr %.2e%n", step + 1, total, loss, lr);
 * }</pre>
 */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = (step, total, loss, lr, gradNorm) -> {
    };

    /**
     * @param step     the step just taken (0-based)
     * @param total    steps in the run
     * @param loss     the batch's loss before the update
     * @param lr       learning rate used
     * @param gradNorm global gradient norm before clipping
     */
    void onStep(long step, long total, double loss, double lr, double gradNorm);

    /**
     * Logs (SLF4J, INFO) every {@code every} steps and the last: step, mean loss since the previous line, learning
     * rate, gradient norm, steps per second.
     */
    static TrainingListener logging(long every) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Trainer.class);
        return new TrainingListener() {
            private double sum;
            private int count;
            private long since = System.nanoTime();

            @Override
            public void onStep(long step, long total, double loss, double lr, double gradNorm) {
                sum += loss;
                count++;
                if ((step + 1) % every == 0 || step + 1 == total) {
                    double seconds = (System.nanoTime() - since) / 1e9;
                    log.info(String.format("step %d/%d  loss %.5f  lr %.2e  grad-norm %.3f  %.2f steps/s", step + 1,
                            total, sum / count, lr, gradNorm, count / Math.max(seconds, 1e-9)));
                    sum = 0;
                    count = 0;
                    since = System.nanoTime();
                }
            }
        };
    }

    /** Calls both listeners. */
    default TrainingListener andThen(TrainingListener next) {
        return (step, total, loss, lr, gradNorm) -> {
            onStep(step, total, loss, lr, gradNorm);
            next.onStep(step, total, loss, lr, gradNorm);
        };
    }
}
