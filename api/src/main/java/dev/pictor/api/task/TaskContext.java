package dev.pictor.api.task;

import dev.pictor.api.Pictor;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What a {@link Task} runs with: the runtime, where to print, where relative paths start, progress and
 * cancellation.
 *
 * <pre>{@code
 * LoadedPipeline p = context.open(arguments.get(0));
 * context.out().println(p.tokenizer().vocabularySize());
 * }</pre>
 *
 * @param pictor        the runtime (plugins, device, zoo, artifacts)
 * @param out           where results are printed (stdout for the CLI)
 * @param baseDirectory the script's folder
 * @param progress      receives progress of long work
 * @param cancellation  checked between steps
 */
public record TaskContext(Pictor pictor, PrintStream out, Path baseDirectory, ProgressListener progress,
        Cancellation cancellation) {

    /**
     * Opens what a script passed as a pipeline: a {@link dev.pictor.api.pipeline.Pipeline}, a
     * {@link LoadedPipeline}, a {@link dev.pictor.api.zoo.ZooEntry} or a zoo name.
     */
    public LoadedPipeline open(Object pipeline) {
        return pictor.open(pipeline, baseDirectory);
    }
}
