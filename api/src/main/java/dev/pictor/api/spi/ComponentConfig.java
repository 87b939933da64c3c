package dev.pictor.api.spi;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings a user gave one component (DSL named arguments, or a zoo descriptor), with typed getters that
 * fail with one clear line naming the component and the setting.
 *
 * <p>A string setting of the form {@code artifact:NAME} is a reference to an artifact of the pipeline;
 * {@link #path(String)} resolves it to its verified local copy.
 *
 * <pre>{@code
 * config.allowOnly("vocabulary", "lowercase", "maxLength");
 * Path vocab = config.requirePath("vocabulary");
 * boolean lower = config.bool("lowercase", true);
 * int max = config.integer("maxLength", 128);
 * }</pre>
 */
public final class ComponentConfig {
    private static final String ARTIFACT_PREFIX = "artifact:";

    private final ComponentKind<?> kind;
    private final String name;
    private final Map<String, Object> settings;
    private final ComponentContext context;

    public ComponentConfig(ComponentKind<?> kind, String name, Map<String, ?> settings, ComponentContext context) {
        this.kind = kind;
        this.name = name;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        this.context = context;
    }

    public ComponentKind<?> kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public Map<String, Object> settings() {
        return settings;
    }

    public ComponentContext context() {
        return context;
    }

    /** Rejects settings this component does not know, suggesting the closest known one. */
    public void allowOnly(String... known) {
        Set<String> allowed = Set.of(known);
        for (String key : settings.keySet()) {
            if (!allowed.contains(key)) {
                throw new BadInputException(where() + ": unknown setting '" + key + "'"
                        + Names.closest(key, allowed).map(s -> ": did you mean '" + s + "'?").orElse("")
                        + " (known: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    public boolean has(String key) {
        return settings.containsKey(key);
    }

    public String string(String key, String defaultValue) {
        Object v = settings.get(key);
        return v == null ? defaultValue : v.toString();
    }

    public String requireString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            throw missing(key, "a text value");
        }
        return v;
    }

    public int integer(String key, int defaultValue) {
        Object v = settings.get(key);
        return v == null ? defaultValue : dev.pictor.api.Values.integer(v, where() + ": setting '" + key + "'");
    }

    public double real(String key, double defaultValue) {
        Object v = settings.get(key);
        return v == null ? defaultValue : dev.pictor.api.Values.real(v, where() + ": setting '" + key + "'");
    }

    public boolean bool(String key, boolean defaultValue) {
        Object v = settings.get(key);
        return v == null ? defaultValue : dev.pictor.api.Values.bool(v, where() + ": setting '" + key + "'");
    }

    /** One of the given choices. */
    public String choice(String key, String defaultValue, List<String> choices) {
        String v = string(key, defaultValue);
        if (!choices.contains(v)) {
            throw new BadInputException(where() + ": setting '" + key + "' must be one of " + choices + ", got '"
                    + v + "'");
        }
        return v;
    }

    /**
     * A file setting: {@code artifact:NAME} resolves to the artifact's verified copy; other values are paths,
     * relative ones against {@link ComponentContext#baseDirectory()}. The file must exist.
     */
    public Optional<Path> path(String key) {
        Object v = settings.get(key);
        if (v == null) {
            return Optional.empty();
        }
        String text = v.toString();
        if (text.startsWith(ARTIFACT_PREFIX)) {
            return Optional.of(context.artifact(text.substring(ARTIFACT_PREFIX.length())));
        }
        Path p = v instanceof Path given ? given : Path.of(text);
        Path resolved = p.isAbsolute() ? p : context.baseDirectory().resolve(p).normalize();
        if (!Files.isRegularFile(resolved)) {
            throw new BadInputException(where() + ": file for setting '" + key + "' not found: " + resolved
                    + " (check the path; relative paths start at " + context.baseDirectory() + ")");
        }
        return Optional.of(resolved);
    }

    public Path requirePath(String key) {
        return path(key).orElseThrow(() -> missing(key, "a file path or artifact:NAME"));
    }

    /** "tokenizer 'word'", for messages. */
    public String where() {
        return kind.id() + " '" + name + "'";
    }

    private BadInputException missing(String key, String what) {
        return new BadInputException(where() + ": setting '" + key + "' is required (" + what + ")");
    }
}
