package dev.pictor.api.pipeline;

import dev.pictor.api.spi.ComponentKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One component of a {@link Pipeline}: which kind, which registered name, its settings, and the role it plays
 * (a CLIP pipeline has two encoders, roles {@code "text"} and {@code "image"}; by default the role is the
 * kind's id).
 *
 * @param kind     tokenizer, encoder, …
 * @param name     the registered component name, e.g. {@code "word"}
 * @param role     unique within the pipeline
 * @param settings the component's settings, in the order given
 *
 * <pre>{@code
 * ComponentSpec s = new ComponentSpec(ComponentKind.TOKENIZER, "word", "tokenizer", Map.of("maxLength", 32));
 * }</pre>
 */
public record ComponentSpec(ComponentKind<?> kind, String name, String role, Map<String, Object> settings) {
    public ComponentSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        role = role == null || role.isBlank() ? kind.id() : role;
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    @Override
    public String toString() {
        return kind.id() + (role.equals(kind.id()) ? "" : "[" + role + "]") + " '" + name + "'"
                + (settings.isEmpty() ? "" : " " + settings);
    }
}
