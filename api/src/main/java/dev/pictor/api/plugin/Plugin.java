package dev.pictor.api.plugin;

import com.google.inject.Module;
import dev.pictor.api.zoo.ZooEntry;
import java.util.List;

/**
 * The entry point of a plugin jar, found with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.pictor.api.plugin.Plugin}.
 *
 * <p>A plugin contributes a Guice {@link #module()} that binds its components by name (extend
 * {@link PluginModule}), and its pretrained {@link #zooEntries()}. Built-in plugins are found on the class path;
 * third-party jars are dropped into the plugins folder ({@code --plugins DIR}, default {@code ./plugins.d}) and
 * each gets its own class loader. A plugin should depend only on {@code pictor-api} (and the libraries it
 * bundles); it asks the registry for other plugins' components by name.
 *
 * <pre>{@code
 * public final class CharsPlugin implements Plugin {
 *     public String name() { return "chars"; }
 *     public String version() { return "1.0.0"; }
 *     public ApiVersion apiVersion() { return new ApiVersion(2, 0); }
 *     public Module module() {
 *         return new PluginModule() {
 *             protected void configureComponents() { tokenizer("chars", CharTokenizerFactory.class); }
 *         };
 *     }
 * }
 * }</pre>
 */
public interface Plugin {

    /** Short unique name, e.g. {@code "text"}. */
    String name();

    /** The plugin's own version. */
    String version();

    /** One line for {@code pictor plugins}. */
    default String description() {
        return "";
    }

    /** The API version this plugin was built against. */
    ApiVersion apiVersion();

    /** Binds the plugin's components (and anything they need injected). */
    Module module();

    /** Pretrained pipelines this plugin ships. */
    default List<ZooEntry> zooEntries() {
        return List.of();
    }
}
