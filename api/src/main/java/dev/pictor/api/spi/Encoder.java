package dev.pictor.api.spi;

import java.util.Locale;
import java.util.Set;

/**
 * Input &#8594; named outputs from one forward pass: token states and their mask (what a denoiser cross-attends
 * to), a pooled vector, a projected vector (CLIP's joint embedding space). One set of weights gives them all, so
 * a CLIP text encoder conditions the UNet and scores similarity without running twice.
 *
 * <p><b>Contract.</b> {@link #encode(Object, Set)} takes a whole batch ({@link TokenBatch} for text encoders, a
 * {@code [batch, channels, height, width]} FLOAT {@code INDArray} for image encoders) and returns the wanted
 * outputs as new arrays owned by the caller: {@link Output#TOKENS} {@code [batch, length, width]} FLOAT,
 * {@link Output#MASK} {@code [batch, length]} INT64, {@link Output#POOLED} and {@link Output#PROJECTED}
 * {@code [batch, width]} FLOAT. Asking only for what is needed lets an encoder skip copies. The input is not
 * modified and stays the caller's.
 *
 * <p><b>Threads.</b> Safe to call from one thread at a time unless the implementation says more.
 *
 * <pre>{@code
 * Encoder<TokenBatch> clip = pipeline.encoder(TokenBatch.class);
 * Encodings e = clip.encode(tokenizer.encodeBatch(List.of("a red circle")));
 * Condition c = e.condition();                          // tokens + mask, for a denoiser
 * INDArray v = e.get(Encoder.Output.PROJECTED);         // [1, 512]
 * }</pre>
 *
 * @param <I> the batch type this encoder reads
 */
public interface Encoder<I> extends Component {

    /** The outputs an encoder can give. */
    enum Output {
        /** One vector per position, {@code [batch, length, width]}. */
        TOKENS,
        /** Which positions are real (1) or padding (0), {@code [batch, length]} INT64. */
        MASK,
        /** One vector per input, {@code [batch, width]} (mean, class token or end-of-text pooling). */
        POOLED,
        /** The pooled vector in a joint embedding space (CLIP), {@code [batch, width]}. */
        PROJECTED;

        /** Lower-case name for messages and the DSL: {@code tokens}, {@code mask}, {@code pooled}, {@code projected}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The batch type this encoder reads, so pipelines can check the wiring before running. */
    Class<I> inputType();

    /** The outputs {@link #encode} can give. */
    Set<Output> outputs();

    /** Width of an output's vectors, or -1 when it depends on the input (one-hot: the vocabulary size). */
    long dimension(Output output);

    /** Encodes one batch, computing the wanted outputs (a subset of {@link #outputs()}) in one forward pass. */
    Encodings encode(I batch, Set<Output> wanted);

    /** Every output. */
    default Encodings encode(I batch) {
        return encode(batch, outputs());
    }

    /**
     * The output that stands for a whole input as one vector ({@code embed}, similarity): projected when the
     * encoder has it, else pooled; empty for an encoder that only gives token states.
     */
    default java.util.Optional<Output> embedding() {
        Set<Output> o = outputs();
        return o.contains(Output.PROJECTED) ? java.util.Optional.of(Output.PROJECTED)
                : o.contains(Output.POOLED) ? java.util.Optional.of(Output.POOLED) : java.util.Optional.empty();
    }
}
