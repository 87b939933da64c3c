package dev.pictor.api.pipeline;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Component;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.Denoiser;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Quantizer;
import dev.pictor.api.spi.Sampler;
import dev.pictor.api.spi.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Pipeline} whose components have been created and are ready to run. Made by
 * {@link dev.pictor.api.Pictor#open(Pipeline)}; closing it closes its components (releasing their weights).
 *
 * <pre>{@code
 * try (LoadedPipeline p = pictor.open(pipeline)) {
 *     TokenBatch batch = p.tokenizer().encodeBatch(List.of("a red circle"));
 *     INDArray vectors = p.encoder(TokenBatch.class).encode(batch).get(Encoder.Output.POOLED);
 * }
 * }</pre>
 */
public final class LoadedPipeline implements AutoCloseable {
    private final Pipeline pipeline;
    private final Map<String, Component> byRole;

    public LoadedPipeline(Pipeline pipeline, Map<String, Component> byRole) {
        this.pipeline = pipeline;
        this.byRole = Collections.unmodifiableMap(new LinkedHashMap<>(byRole));
    }

    /** What this was built from. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The component in a role. */
    public Component role(String role) {
        Component c = byRole.get(role);
        if (c == null) {
            throw BadInputException.unknown("role in pipeline '" + pipeline.name() + "'", role, byRole.keySet(), null);
        }
        return c;
    }

    /**
     * The component of a kind: the one whose role is the kind's id, else the only one of that kind.
     */
    public <T extends Component> T get(ComponentKind<T> kind) {
        Component direct = byRole.get(kind.id());
        if (direct != null && kind.type().isInstance(direct)) {
            return kind.type().cast(direct);
        }
        List<Component> ofKind = new ArrayList<>();
        for (Component c : byRole.values()) {
            if (kind.type().isInstance(c)) {
                ofKind.add(c);
            }
        }
        if (ofKind.size() == 1) {
            return kind.type().cast(ofKind.get(0));
        }
        throw new BadInputException(ofKind.isEmpty()
                ? "pipeline '" + pipeline.name() + "' has no " + kind.id() + ": add one (" + kind.id() + " 'name')"
                : "pipeline '" + pipeline.name() + "' has " + ofKind.size() + " " + kind.id() + "s: ask for one by"
                        + " role (" + String.join(", ", byRole.keySet()) + ")");
    }

    public Tokenizer tokenizer() {
        return get(ComponentKind.TOKENIZER);
    }

    public Encoder<?> encoder() {
        return get(ComponentKind.ENCODER);
    }

    /** The encoder, checked to read batches of {@code input}. */
    @SuppressWarnings("unchecked")
    public <I> Encoder<I> encoder(Class<I> input) {
        Encoder<?> e = encoder();
        if (!e.inputType().isAssignableFrom(input)) {
            throw new BadInputException("encoder '" + e.name() + "' reads " + e.inputType().getSimpleName()
                    + ", not " + input.getSimpleName() + ": use an encoder for that input");
        }
        return (Encoder<I>) e;
    }

    public Quantizer quantizer() {
        return get(ComponentKind.QUANTIZER);
    }

    public Denoiser denoiser() {
        return get(ComponentKind.DENOISER);
    }

    public Sampler sampler() {
        return get(ComponentKind.SAMPLER);
    }

    /** All components by role, in pipeline order. */
    public Map<String, Component> components() {
        return byRole;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Component c : byRole.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
