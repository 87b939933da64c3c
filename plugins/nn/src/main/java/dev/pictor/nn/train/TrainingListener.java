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
}
