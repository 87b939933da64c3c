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
 * @param components  component names by kind id ({@code "tokenizer" -> [word]})
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
        components = Map.copyOf(components);
        tasks = List.copyOf(tasks);
        zoo = List.copyOf(zoo);
    }
}
