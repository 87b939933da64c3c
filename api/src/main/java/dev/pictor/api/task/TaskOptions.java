package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Names;
import dev.pictor.api.Values;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The named options of one task call, checked against the options the task declares — the one parser every task
 * (built-in or a plugin's) and every front end (DSL named arguments, CLI options) goes through: an unknown option
 * is one line with "did you mean", a wrong type names the option, and numbers follow {@link Values}' rules.
 *
 * <pre>{@code
 * TaskOptions o = TaskOptions.of("generate", Map.of("steps", 20), List.of("prompt", "steps", "seed"));
 * int steps = o.integer("steps", 50);
 * }</pre>
 */
public final class TaskOptions {
    private final String verb;
    private final Map<String, Object> values;
    private final List<String> known;

    private TaskOptions(String verb, Map<String, ?> values, List<String> known) {
        this.verb = verb;
        this.known = List.copyOf(known);
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v instanceof CharSequence cs ? cs.toString() : v));
        this.values = Collections.unmodifiableMap(copy);
        for (String key : this.values.keySet()) {
            if (!this.known.contains(key)) {
                throw new BadInputException(verb + ": unknown option '" + key + "'" + Names.closest(key, this.known)
                        .map(s -> ": did you mean '" + s + "'?").orElse("") + " (options: "
                        + (this.known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(this.known))) + ")");
            }
        }
    }

    /** Checks {@code values} against the {@code known} option names of {@code verb}. */
    public static TaskOptions of(String verb, Map<String, ?> values, List<String> known) {
        return new TaskOptions(verb, values, known);
    }

    /** The verb, for messages. */
    public String verb() {
        return verb;
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    /** The raw value (strings already as {@code String}), if given. */
    public Optional<Object> raw(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /** At most one of {@code keys} may be given. */
    public TaskOptions atMostOne(String... keys) {
        List<String> given = java.util.Arrays.stream(keys).filter(this::has).toList();
        if (given.size() > 1) {
            throw new BadInputException(verb + ": give only one of " + String.join(", ", keys) + " (got "
                    + String.join(" and ", given) + ")");
        }
        return this;
    }

    public String string(String key, String defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : v.toString();
    }

    public String requireString(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw new BadInputException(verb + " needs option '" + key + "'");
        }
        return v.toString();
    }

    public int integer(String key, int defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : Values.integer(v, where(key));
    }

    public long longInteger(String key, long defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : Values.longInteger(v, where(key));
    }

    public double real(String key, double defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : Values.real(v, where(key));
    }

    public boolean bool(String key, boolean defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : Values.bool(v, where(key));
    }

    /** A path option, relative ones resolved against {@code base}; not checked for existence. */
    public Optional<Path> path(String key, Path base) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        Path p = v instanceof Path given ? given : (v instanceof java.io.File f ? f.toPath() : Path.of(v.toString()));
        return Optional.of(p.isAbsolute() ? p : base.resolve(p).normalize());
    }

    /** "generate: option 'steps'", for messages. */
    public String where(String key) {
        return verb + ": option '" + key + "'";
    }

    /** Options given as a list of strings ({@code texts: [...]}). */
    public Optional<List<String>> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Iterable<?> items)) {
            throw new BadInputException(where(key) + " must be a list of strings, got " + v.getClass().getSimpleName());
        }
        List<String> out = new java.util.ArrayList<>();
        items.forEach(i -> out.add(String.valueOf(i)));
        return Optional.of(out);
    }

    @Override
    public String toString() {
        return verb + values;
    }
}
