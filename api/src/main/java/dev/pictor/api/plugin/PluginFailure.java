package dev.pictor.api.plugin;

/**
 * A plugin (or jar) that was skipped, and why, in one line.
 *
 * @param source the jar file name, or the built-in plugin's class
 * @param reason what is wrong and how to fix it
 *
 * <pre>{@code
 * registry.failures().forEach(f -> System.err.println(f.source() + ": " + f.reason()));
 * }</pre>
 */
public record PluginFailure(String source, String reason) {
}
