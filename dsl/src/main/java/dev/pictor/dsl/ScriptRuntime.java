package dev.pictor.dsl;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Pictor;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a running script shares between its verbs: the runtime, the pipelines it has opened (each opened once and
 * closed when the script ends), where to print, and where relative paths start.
 */
final class ScriptRuntime implements AutoCloseable {
    static final String BINDING_NAME = "__pictorRuntime";

    private final Pictor pictor;
    private final PrintStream out;
    private final PrintStream err;
    private final Path workingDirectory;
    private final ProgressListener progress;
    private final Cancellation cancellation;
    private final Map<Pipeline, LoadedPipeline> opened = new LinkedHashMap<>();

    ScriptRuntime(Pictor pictor, PrintStream out, PrintStream err, Path workingDirectory, ProgressListener progress,
            Cancellation cancellation) {
        this.pictor = pictor;
        this.out = out;
        this.err = err;
        this.workingDirectory = workingDirectory.toAbsolutePath();
        this.progress = progress;
        this.cancellation = cancellation;
    }

    Pictor pictor() {
        return pictor;
    }

    /** Opens a pipeline once; later uses get the same components. */
    LoadedPipeline open(Object pipeline) {
        if (pipeline instanceof LoadedPipeline loaded) {
            return loaded;
        }
        Pipeline p = spec(pipeline);
        LoadedPipeline loaded = opened.get(p);
        if (loaded == null) {
            loaded = pictor.open(p, workingDirectory);
            opened.put(p, loaded);
        }
        return loaded;
    }

    /** What a script passed as a pipeline, as a {@link Pipeline}, without opening it. */
    Pipeline spec(Object pipeline) {
        Pipeline p = pipeline instanceof LoadedPipeline loaded ? loaded.pipeline()
                : pipeline instanceof CharSequence name ? pictor.zoo(name.toString()).pipeline()
                : pipeline instanceof dev.pictor.api.zoo.ZooEntry entry ? entry.pipeline()
                : pipeline instanceof Pipeline given ? given : null;
        if (p == null) {
            throw new BadInputException("expected a pipeline (pipeline { … } or zoo 'name'), got "
                    + (pipeline == null ? "null" : pipeline.getClass().getSimpleName()));
        }
        return p;
    }

    Optional<Task> task(String verb) {
        Optional<Task> direct = pictor.plugins().task(verb);
        return direct.isPresent() ? direct : pictor.plugins().task(kebab(verb));
    }

    List<String> taskVerbs() {
        return pictor.plugins().taskNames().stream().map(ScriptRuntime::camel).toList();
    }

    TaskContext taskContext() {
        return new TaskContext(pictor, out, workingDirectory, progress, cancellation, this::open);
    }

    /** Where relative paths of a script start. */
    Path workingDirectory() {
        return workingDirectory;
    }


    /** Prints a warning, unless the runner is quiet (then {@code err} is null). */
    void warn(String message) {
        if (err != null) {
            err.println("warning: " + message);
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    static String camel(String kebab) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        opened.values().forEach(LoadedPipeline::close);
        opened.clear();
    }
}
