package dev.pictor.sample;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code tokenStats pipeline, texts: [...]}: how many texts, tokens and distinct tokens the pipeline's tokenizer
 * makes of them.
 *
 * <pre>{@code
 * println tokenStats(bytes, texts: ['hé', 'a'])   // [texts:2, tokens:4, distinct:4]
 * }</pre>
 */
public final class TokenStatsTask implements Task {
    @Override
    public String description() {
        return "counts texts, tokens and distinct tokens";
    }

    @Override
    public List<String> options() {
        return List.of("texts");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        List<String> texts = options.strings("texts").orElse(null);
        if (arguments.size() != 1 || texts == null) {
            throw new BadInputException("tokenStats needs a pipeline and texts: [...], e.g."
                    + " tokenStats words, texts: ['a', 'b']");
        }
        Tokenizer tokenizer = context.open(arguments.get(0)).tokenizer();
        List<Encoding> encodings = texts.stream().map(tokenizer::encode).toList();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("texts", encodings.size());
        stats.put("tokens", encodings.stream().mapToInt(Encoding::length).sum());
        stats.put("distinct", encodings.stream().flatMapToInt(e -> IntStream.of(e.ids())).distinct().count());
        return stats;
    }
}
