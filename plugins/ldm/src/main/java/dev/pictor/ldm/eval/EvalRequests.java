package dev.pictor.ldm.eval;

import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.task.GenerateRequest;
import dev.pictor.api.task.TaskOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generate request an evaluation makes for its own prompts: its sampling options ({@code steps},
 * {@code sampler}, {@code guidance}, {@code guidanceRescale}, {@code rerank}) as given, else the pipeline's
 * defaults, else generate's — read and checked by {@link GenerateRequest} as {@code pictor generate} reads them, so an evaluation
 * measures what a user running the same settings gets.
 */
final class EvalRequests {
    private static final List<String> SAMPLING = List.of("steps", "sampler", "guidance", "guidanceRescale",
            "rerank");

    private EvalRequests() {
    }

    static GenerateRequest of(TaskOptions evalOptions, LoadedPipeline pipeline, List<GenerateRequest.Prompt> prompts,
            long seed, int count, Path out) {
        Map<String, Object> generate = new LinkedHashMap<>();
        generate.put("seed", seed);
        generate.put("count", count);
        generate.put("out", out.toString());
        for (String option : SAMPLING) {
            evalOptions.raw(option).ifPresent(v -> generate.put(option, v));
        }
        return GenerateRequest.from(GenerateRequest.withDefaults(TaskOptions.of(evalOptions.verb(), generate,
                GenerateRequest.OPTIONS), pipeline.pipeline()), prompts, out);
    }
}
