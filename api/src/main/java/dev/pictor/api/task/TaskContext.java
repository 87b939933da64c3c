package dev.pictor.api.task;

import dev.pictor.api.Pictor;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What a {@link Task} runs with: the runtime, where to print, where relative paths start, progress and
 * cancellation, and how to open the pipelines it is given.
 *
 * <pre>{@code
 * LoadedPipeline p = context.open(arguments.get(0));
 * context.out().println(p.tokenizer().vocabularySize());
 * }</pre>
 *
 * @param pictor        the runtime (plugins, device, zoo, artifacts)
 * @param out           where results are printed (stdout for the CLI)
 * @param baseDirectory where relative paths start (the working directory of a script run)
 * @param progress      receives progress of long work
 * @param cancellation  checked between steps
 * @param opener        opens what a script passed as a pipeline; a script run shares its opened pipelines with
 *                      its tasks (opened once, closed when the script ends)
 */
public record TaskContext(Pictor pictor, PrintStream out, Path baseDirectory, ProgressListener progress,
        Cancellation cancellation, Function<Object, LoadedPipeline> opener) {

    /** A context whose {@link #open} opens a new pipeline each call (the caller closes them). */
    public TaskContext(Pictor pictor, PrintStream out, Path baseDirectory, ProgressListener progress,
            Cancellation cancellation) {
        this(pictor, out, baseDirectory, progress, cancellation, p -> pictor.open(p, baseDirectory));
    }

    /**
     * Opens what a script passed as a pipeline: a {@link dev.pictor.api.pipeline.Pipeline}, a
     * {@link LoadedPipeline}, a {@link dev.pictor.api.zoo.ZooEntry} or a zoo name.
     */
    public LoadedPipeline open(Object pipeline) {
        return opener.apply(pipeline);
    }
}
