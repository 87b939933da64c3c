package dev.pictor.cli;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.task.Embed;
import dev.pictor.api.task.TextInput;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pictor embed --pipeline NAME (--text TEXT | --texts FILE) [--format csv|json]}: one embedding a line, in
 * input order, to stdout — the {@link Embed} task, as the DSL's {@code embed} runs it.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed texts with a pipeline (e.g. minilm-l6); one row a line, in input order.")
final class EmbedCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Option(names = "--pipeline", required = true, paramLabel = "NAME", description = "A zoo pipeline with a"
            + " tokenizer and a pooled encoder.")
    String pipeline;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "One text (repeat for more).")
        List<String> texts;

        @Option(names = "--texts", paramLabel = "FILE", description = "A UTF-8 file, one text a line.")
        Path file;
    }

    @Option(names = "--format", defaultValue = "csv", paramLabel = "csv|json",
            description = "csv (comma-separated numbers) or json (one array a line). Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() {
        if (!format.equals("csv") && !format.equals("json")) {
            throw new BadInputException("unknown --format '" + format + "': use csv or json");
        }
        TextInput texts = input.file != null ? TextInput.file(input.file) : TextInput.of(input.texts, "--text");
        LoadedPipeline p = cli.pictor().open(cli.pictor().zoo(pipeline));
        PrintStream out = cli.out();
        int truncated = Embed.stream(p, texts, (from, vectors) -> {
            for (int r = 0; r < vectors.size(0); r++) {
                out.println(row(vectors.getRow(r).toFloatVector()));
            }
        });
        if (truncated > 0 && !cli.quiet()) {
            cli.err().println("warning: " + truncated + " of " + texts.size() + " texts were longer than the"
                    + " tokenizer's maximum and were truncated");
        }
        out.flush();
        return 0;
    }

    private String row(float[] v) {
        StringBuilder sb = new StringBuilder(v.length * 12);
        sb.append(format.equals("json") ? "[" : "");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(String.format(Locale.ROOT, "%.7g", v[i]));
        }
        return sb.append(format.equals("json") ? "]" : "").toString();
    }
}
