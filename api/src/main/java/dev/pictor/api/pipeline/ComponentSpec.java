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
        settings = frozen(settings);
    }

    /**
     * A deep, immutable copy: nested lists and maps are copied too, and text values become Strings (a Groovy
     * GString and a String with the same text make equal pipelines).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> frozen(Map<String, ?> settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> out.put(String.valueOf(k), freeze(v)));
        return Collections.unmodifiableMap(out);
    }

    private static Object freeze(Object v) {
        if (v instanceof CharSequence cs) {
            return cs.toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), freeze(x)));
            return Collections.unmodifiableMap(copy);
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.stream().map(ComponentSpec::freeze).collect(java.util.stream.Collectors
                    .collectingAndThen(java.util.stream.Collectors.toList(), Collections::unmodifiableList));
        }
        return v;
    }

    @Override
    public String toString() {
        return kind.id() + (role.equals(kind.id()) ? "" : "[" + role + "]") + " '" + name + "'"
                + (settings.isEmpty() ? "" : " " + settings);
    }
}
