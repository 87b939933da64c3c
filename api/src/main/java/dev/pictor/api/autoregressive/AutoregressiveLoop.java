package dev.pictor.api.autoregressive;

import dev.pictor.api.PictorException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import dev.pictor.api.run.Seeds;
import dev.pictor.api.spi.AutoregressiveDenoiser;
import dev.pictor.api.spi.DecodingSession;
import dev.pictor.api.spi.TokenSampler;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one autoregressive decoding loop: opens a {@link DecodingSession} (which owns the key/value cache), feeds
 * the prefix once, then one token a step, each chosen by the {@link TokenSampler} from the allowed range with the
 * row's own seeded stream — with classifier-free guidance when the request asks (the logits after the prefix pushed
 * away from those after a negative one, as Make-A-Scene and Parti guide their token models). Owns progress
 * ("decoding", one unit a token), cancellation and the check that logits are finite.
 *
 * <pre>{@code
 * long[][] tokens = AutoregressiveLoop.run(transformer, new LogitsSampler(1, 0, 0.9),
 *         DecodingRequest.builder(prefix, 64).seed(7).build(), ProgressListener.NONE, Cancellation.never());
 * }</pre>
 */
public final class AutoregressiveLoop {
    private AutoregressiveLoop() {
    }

    /** The generated tokens, {@code [batch][newTokens]} (the prefix not included). */
    public static long[][] run(AutoregressiveDenoiser model, TokenSampler sampler, DecodingRequest request,
            ProgressListener progress, Cancellation cancellation) {
        int batch = request.batch();
        int prefixLength = (int) request.prefix().size(1);
        int total = prefixLength + request.newTokens();
        if (total > model.maxLength()) {
            throw new dev.pictor.api.BadInputException("a prefix of " + prefixLength + " and " + request.newTokens()
                    + " new tokens exceed the " + model.maxLength() + " positions of '" + model.name() + "'");
        }
        SplittableRandom[] rows = new SplittableRandom[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = new SplittableRandom(Seeds.mix(request.seed() + b));
        }
        long[][] out = new long[batch][request.newTokens()];
        boolean guided = request.guided();
        float g = (float) request.guidance();
        // guided: one session of 2·batch rows, the prefixes then the negatives, fed the same token each step
        int rowsInSession = guided ? 2 * batch : batch;
        if (guided && !request.condition().isNone()) {
            throw new dev.pictor.api.BadInputException("guided decoding steers by its two prefixes: it takes no"
                    + " condition besides them");
        }
        try (DecodingSession session = model.open(rowsInSession, request.condition())) {
            cancellation.throwIfCancelled();
            INDArray first = request.prefix().castTo(DataType.INT64);
            if (guided) {
                first = Nd4j.concat(0, first, request.negative().castTo(DataType.INT64));
            }
            INDArray logits = session.feed(first);
            for (int i = 0; i < request.newTokens(); i++) {
                int position = prefixLength + i;
                TokenRange range = request.allowed().apply(position);
                if (range == null) {
                    range = TokenRange.all(model.vocabularySize());
                }
                if (range.to() > model.vocabularySize()) {
                    throw new IllegalArgumentException("allowed range " + range + " at position " + position
                            + " exceeds the vocabulary of " + model.vocabularySize());
                }
                float[][] rowsOfLogits = logits.castTo(DataType.FLOAT).toFloatMatrix();
                long[] next = new long[rowsInSession];
                for (int b = 0; b < batch; b++) {
                    float[] row = rowsOfLogits[b];
                    checkFinite(row, position);
                    if (guided) {
                        float[] u = rowsOfLogits[batch + b];
                        checkFinite(u, position);
                        for (int v = range.from(); v < range.to(); v++) {
                            row[v] = u[v] + g * (row[v] - u[v]);
                        }
                        checkFinite(row, position);
                    }
                    next[b] = sampler.choose(row, range.from(), range.to(), rows[b]);
                    out[b][i] = next[b];
                    if (guided) {
                        next[batch + b] = next[b];
                    }
                }
                progress.onProgress("decoding", i + 1, request.newTokens());
                if (i + 1 < request.newTokens()) {
                    cancellation.throwIfCancelled();
                    logits = session.feed(Nd4j.createFromArray(next).reshape(rowsInSession, 1));
                }
            }
        }
        return out;
    }

    private static void checkFinite(float[] row, int position) {
        for (float v : row) {
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new PictorException("the logits for position " + position + " hold NaN or +infinity: the"
                        + " model diverged");
            }
        }
    }
}
