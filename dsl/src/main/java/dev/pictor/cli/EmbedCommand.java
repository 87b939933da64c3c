package dev.pictor.cli;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pictor embed --pipeline NAME (--text TEXT | --texts FILE) [--format csv|json]}: one embedding a line, in
 * input order, to stdout.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed texts with a pipeline (e.g. minilm-l6); one row a line, in input order.")
final class EmbedCommand implements Callable<Integer> {
    /** Texts are encoded this many at a time: bounded memory, and batches long enough to be fast. */
    static final int BATCH = 32;

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
        List<String> texts = input.file != null ? readLines(input.file) : input.texts;
        LoadedPipeline p = cli.pictor().open(cli.pictor().zoo(pipeline));
        Encoder<TokenBatch> encoder = p.encoder(TokenBatch.class);
        if (encoder.output() != Encoder.Output.POOLED) {
            throw new BadInputException("pipeline '" + pipeline + "' gives one vector per token, not per text: use"
                    + " an embedding pipeline (pictor zoo list)");
        }
        PrintStream out = cli.out();
        int truncated = 0;
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + BATCH));
            TokenBatch batch;
            try {
                batch = p.tokenizer().encodeBatch(part);
            } catch (BadInputException e) {
                throw new BadInputException(e.getMessage().replaceFirst("^text (\\d+) of \\d+",
                        "text " + from + "+$1"));
            }
            truncated += (int) batch.encodings().stream().filter(Encoding::truncated).count();
            INDArray vectors = encoder.encode(batch);
            for (int r = 0; r < part.size(); r++) {
                out.println(row(vectors.getRow(r).toFloatVector()));
            }
        }
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

    static List<String> readLines(Path file) {
        List<String> lines = dev.pictor.api.io.TextFiles.readLines(file, "file", "");
        if (lines.isEmpty()) {
            throw new BadInputException("file " + file + " has no lines: one text a line");
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                throw new BadInputException("line " + (i + 1) + " of " + file + " is empty: one non-empty text a"
                        + " line");
            }
        }
        return lines;
    }
}
