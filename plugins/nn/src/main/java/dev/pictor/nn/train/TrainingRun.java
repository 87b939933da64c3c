package dev.pictor.nn.train;

import dev.pictor.api.task.TaskContext;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a DSL training verb shows and returns around a {@link Trainer} run, written once: progress on the terminal, a
 * loss line every {@code report} steps, the result map ({@code steps}, {@code loss}, {@code seconds},
 * {@code cancelled}) and the metadata a saved model folder carries (recipe, steps, seed, this run's seconds).
 *
 * <pre>{@code
 * TrainingRun run = TrainingRun.start(context, "training the UNet", 100);
 * Trainer.Result r = training.run(run.listener(), context.cancellation());
 * Map<String, Object> out = run.result(r);
 * if (!r.cancelled()) training.save(into, run.metadata("trainLdm data: shapes", steps, seed));
 * }</pre>
 */
public final class TrainingRun {
    private final TaskContext context;
    private final String stage;
    private final long report;
    private final long start = System.nanoTime();
    private double seconds;

    private TrainingRun(TaskContext context, String stage, long report) {
        this.context = context;
        this.stage = stage;
        this.report = Math.max(1, report);
    }

    /** Starts the clock; {@code stage} names the progress bar, a loss line is printed every {@code report} steps. */
    public static TrainingRun start(TaskContext context, String stage, long report) {
        return new TrainingRun(context, stage, report);
    }

    /** Progress and the loss lines. */
    public TrainingListener listener() {
        return (step, total, loss, lr, norm) -> {
            context.progress().onProgress(stage, step + 1, total);
            if ((step + 1) % report == 0 || step + 1 == total) {
                context.out().printf("step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f s%n", step + 1, total, loss, lr,
                        norm, (System.nanoTime() - start) / 1e9);
            }
        };
    }

    /** The verb's result; stops the clock. */
    public Map<String, Object> result(Trainer.Result r) {
        seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", r.stepsDone());
        out.put("loss", r.lastLoss());
        out.put("seconds", seconds);
        out.put("cancelled", r.cancelled());
        return out;
    }

    /** The model folder's metadata; the seconds are this run's own (a resumed run counts from where it resumed). */
    public Map<String, String> metadata(String recipe, long steps, long seed) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("recipe", recipe);
        meta.put("steps", Long.toString(steps));
        meta.put("seed", Long.toString(seed));
        meta.put("seconds", String.format(Locale.ROOT, "%.0f", seconds));
        return meta;
    }
}
