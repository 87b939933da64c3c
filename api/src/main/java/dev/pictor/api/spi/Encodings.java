package dev.pictor.api.spi;

import dev.pictor.api.BadInputException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one {@link Encoder} forward pass gave: its outputs by name. Immutable (the arrays are the caller's).
 *
 * <pre>{@code
 * Encodings e = Encodings.builder("bert").put(Encoder.Output.POOLED, vectors).build();
 * INDArray v = e.get(Encoder.Output.POOLED);
 * }</pre>
 */
public final class Encodings {
    private final String encoder;
    private final Map<Encoder.Output, INDArray> outputs;

    private Encodings(String encoder, Map<Encoder.Output, INDArray> outputs) {
        this.encoder = encoder;
        this.outputs = Collections.unmodifiableMap(new EnumMap<>(outputs));
    }

    /** A builder for the outputs of the named encoder (the name is for messages). */
    public static Builder builder(String encoder) {
        return new Builder(encoder);
    }

    /**
     * Checks that an encoder can give every wanted output; an encoder calls this first in {@code encode}.
     *
     * @throws BadInputException naming what it gives instead
     */
    public static void check(Encoder<?> encoder, Set<Encoder.Output> wanted) {
        for (Encoder.Output o : wanted) {
            if (!encoder.outputs().contains(o)) {
                throw new BadInputException("encoder '" + encoder.name() + "' gives " + list(encoder.outputs())
                        + ", not " + o.id() + ": use an encoder with that output");
            }
        }
    }

    private static String list(Set<Encoder.Output> outputs) {
        return outputs.stream().map(Encoder.Output::id).collect(Collectors.joining(", "));
    }

    /** An output, or a one-line error naming the ones there are. */
    public INDArray get(Encoder.Output output) {
        INDArray a = outputs.get(output);
        if (a == null) {
            throw new BadInputException("encoder '" + encoder + "' gave " + list(outputs.keySet()) + ", not "
                    + output.id());
        }
        return a;
    }

    public Optional<INDArray> find(Encoder.Output output) {
        return Optional.ofNullable(outputs.get(output));
    }

    public Set<Encoder.Output> outputs() {
        return outputs.keySet();
    }

    /**
     * The token states, their mask and the pooled vector as a denoiser's condition (mask and vector are optional).
     */
    public Condition condition() {
        return new Condition(get(Encoder.Output.TOKENS), outputs.get(Encoder.Output.MASK),
                outputs.get(Encoder.Output.POOLED));
    }

    /** Optional parts of an {@link Encodings}. */
    public static final class Builder {
        private final String encoder;
        private final Map<Encoder.Output, INDArray> outputs = new EnumMap<>(Encoder.Output.class);

        private Builder(String encoder) {
            this.encoder = encoder;
        }

        public Builder put(Encoder.Output output, INDArray value) {
            outputs.put(output, java.util.Objects.requireNonNull(value, output.id()));
            return this;
        }

        public Encodings build() {
            return new Encodings(encoder, outputs);
        }
    }

    @Override
    public String toString() {
        return "Encodings[" + encoder + ": " + list(outputs.keySet()) + "]";
    }
}
