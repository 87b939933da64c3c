package dev.pictor.api.spi;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The five kinds of pipeline component, each tied to its SPI type. Used to bind and look up components by
 * name in a type-safe way.
 *
 * <pre>{@code
 * ComponentFactory<Tokenizer> f = registry.factory(ComponentKind.TOKENIZER, "word");
 * }</pre>
 *
 * @param <T> the SPI type
 */
public final class ComponentKind<T extends Component> {
    public static final ComponentKind<Tokenizer> TOKENIZER = new ComponentKind<>("tokenizer", Tokenizer.class);
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final ComponentKind<Encoder<?>> ENCODER = new ComponentKind<>("encoder", (Class) Encoder.class);
    public static final ComponentKind<Quantizer> QUANTIZER = new ComponentKind<>("quantizer", Quantizer.class);
    public static final ComponentKind<Denoiser> DENOISER = new ComponentKind<>("denoiser", Denoiser.class);
    public static final ComponentKind<Sampler> SAMPLER = new ComponentKind<>("sampler", Sampler.class);

    private static final List<ComponentKind<?>> ALL = List.of(TOKENIZER, ENCODER, QUANTIZER, DENOISER, SAMPLER);

    private final String id;
    private final Class<T> type;

    private ComponentKind(String id, Class<T> type) {
        this.id = id;
        this.type = type;
    }

    /** All kinds, in pipeline order. */
    public static List<ComponentKind<?>> values() {
        return ALL;
    }

    /** The kind with this id ({@code "tokenizer"}, …), ignoring case. */
    public static Optional<ComponentKind<?>> byId(String id) {
        String lower = id.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(k -> k.id.equals(lower)).findFirst();
    }

    /** Lower-case id, as used in the DSL, descriptors and messages. */
    public String id() {
        return id;
    }

    /** The SPI interface. */
    public Class<T> type() {
        return type;
    }

    @Override
    public String toString() {
        return id;
    }
}
