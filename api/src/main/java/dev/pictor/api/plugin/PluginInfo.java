package dev.pictor.api.plugin;

import java.util.List;
import java.util.Map;

/**
 * What {@code pictor plugins} shows about one loaded plugin.
 *
 * @param name        plugin name
 * @param version     plugin version
 * @param apiVersion  API version it was built for
 * @param description one line
 * @param source      {@code "built-in"} or the jar it came from
 * @param components  component names by kind id ({@code "tokenizer" -> [word]}); iterates sorted by kind, and
 *                    each kind's names are sorted
 * @param tasks       task verbs it adds
 * @param zoo         zoo entries it ships
 *
 * <pre>{@code
 * registry.plugins().forEach(p -> System.out.println(p.name() + " " + p.components()));
 * }</pre>
 */
public record PluginInfo(String name, String version, ApiVersion apiVersion, String description, String source,
        Map<String, List<String>> components, List<String> tasks, List<String> zoo) {
    public PluginInfo {
        // Sorted by kind, names sorted within a kind: Map.copyOf's order changes from one JVM run to the next.
        java.util.TreeMap<String, List<String>> sorted = new java.util.TreeMap<>();
        components.forEach((kind, names) -> sorted.put(kind, names.stream().sorted().toList()));
        components = java.util.Collections.unmodifiableMap(sorted);
        tasks = List.copyOf(tasks);
        zoo = List.copyOf(zoo);
    }
}
