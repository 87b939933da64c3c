package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code embed} task, written once: texts → one vector each, from a pipeline's tokenizer and its encoder's
 * embedding output (projected, else pooled), {@value #BATCH} texts at a time. The DSL verb {@code embed}, the CLI's
 * {@code pictor embed} and Java all call this.
 *
 * <pre>{@code
 * try (LoadedPipeline p = pictor.open(pictor.zoo("minilm-l6"))) {
 *     Embed.Result r = Embed.run(p, TextInput.of(List.of("a red circle", "a blue square"), "texts"));
 *     INDArray v = r.vectors();   // [2, 384]
 * }
 * }</pre>
 */
public final class Embed {
    /** Texts encoded at a time: bounded memory, and batches long enough to be fast. */
    public static final int BATCH = 32;
    /** The options of the task. */
    public static final List<String> OPTIONS = List.of("text", "texts", "file");

    private Embed() {
    }

    /**
     * @param vectors   {@code [texts, dimension]}, one row per text in input order
     * @param truncated how many texts were longer than the tokenizer's maximum and were cut
     */
    public record Result(INDArray vectors, int truncated) {
    }

    /** All embeddings at once. */
    public static Result run(LoadedPipeline pipeline, TextInput input) {
        List<INDArray> parts = new ArrayList<>();
        int truncated = stream(pipeline, input, (from, rows) -> parts.add(rows));
        return new Result(parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(INDArray[]::new)), truncated);
    }

    /**
     * Embeds batch by batch, handing each batch's rows to {@code sink} with the 0-based index of its first text
     * (bounded memory for long files).
     *
     * @return how many texts were truncated
     */
    public static int stream(LoadedPipeline pipeline, TextInput input, BiConsumer<Integer, INDArray> sink) {
        Encoder<TokenBatch> encoder = pipeline.encoder(TokenBatch.class);
        Encoder.Output output = embeddingOf(pipeline.pipeline().name(), encoder);
        List<String> texts = input.texts();
        int truncated = 0;
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + BATCH));
            TokenBatch batch;
            try {
                batch = pipeline.tokenizer().encodeBatch(part);
            } catch (BadInputException e) {
                throw relocate(e, from, input);
            }
            truncated += (int) batch.encodings().stream().filter(Encoding::truncated).count();
            sink.accept(from, encoder.encode(batch, Set.of(output)).get(output));
        }
        return truncated;
    }

    /** The output that gives one vector per text, or a one-line error for an encoder of token states only. */
    public static Encoder.Output embeddingOf(String pipeline, Encoder<?> encoder) {
        return encoder.embedding().orElseThrow(() -> new BadInputException("pipeline '" + pipeline + "' gives one"
                + " vector per token, not per text: use an embedding pipeline such as minilm-l6 (pictor zoo list)"));
    }

    private static final Pattern BATCH_POSITION = Pattern.compile("text (\\d+) of \\d+: (.*)", Pattern.DOTALL);

    /**
     * A tokenizer's error about a text of a batch ("text 3 of 32: …", see {@code Tokenizer.encodeEach}) restated
     * with where that text came from; other errors as they are.
     */
    static BadInputException relocate(BadInputException e, int batchStart, TextInput input) {
        Matcher m = BATCH_POSITION.matcher(String.valueOf(e.getMessage()));
        if (!m.matches()) {
            return e;
        }
        return new BadInputException(input.where().apply(batchStart + Integer.parseInt(m.group(1))) + ": "
                + m.group(2), e);
    }
}
