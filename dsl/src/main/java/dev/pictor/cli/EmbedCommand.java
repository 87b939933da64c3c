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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        List<String> texts = input.file != null ? readLines(input.file) : checked(input.texts);
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
                throw relocate(e, from, texts.size(), input.file);
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

    private static final Pattern BATCH_POSITION = Pattern.compile("text (\\d+) of \\d+: (.*)", Pattern.DOTALL);

    /**
     * A tokenizer's error about a text of a batch ("text 3 of 32: …", see {@code Tokenizer.encodeEach}) restated
     * with where that text came from: the line of the --texts file, or which --text; other errors as they are.
     */
    static BadInputException relocate(BadInputException e, int batchStart, int count, Path file) {
        Matcher m = BATCH_POSITION.matcher(String.valueOf(e.getMessage()));
        if (!m.matches()) {
            return e;
        }
        return new BadInputException(where(file, batchStart + Integer.parseInt(m.group(1)), count) + ": "
                + m.group(2), e);
    }

    /** Where the 1-based {@code n}-th of {@code count} texts came from, for messages. */
    private static String where(Path file, int n, int count) {
        if (file != null) {
            return "line " + n + " of " + file;
        }
        return count == 1 ? "--text" : "--text " + n + " of " + count;
    }

    /** The --text values, none of them blank. */
    private static List<String> checked(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new BadInputException(where(null, i + 1, texts.size()) + " is empty: give a non-empty text");
            }
        }
        return texts;
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
