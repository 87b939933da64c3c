package dev.pictor.zoo;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.zoo.ZooDescriptors;
import dev.pictor.api.zoo.ZooEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The zoo's pretrained pipelines that are not owned by one plugin, as a plugin with no components of its own.
 * Its entries are the descriptors listed in {@value #INDEX} (one file name a line), read from this jar; their
 * components come from the plugins that provide them.
 *
 * <pre>{@code
 * ZooEntry words = pictor.zoo("shapes-words");   // found through this plugin
 * }</pre>
 */
public final class ZooPlugin implements Plugin {
    /** The list of descriptors this jar ships. */
    public static final String INDEX = "pictor/zoo/index.txt";

    @Override
    public String name() {
        return "zoo";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "pretrained pipelines (descriptors, weights, model cards)";
    }

    @Override
    public ApiVersion apiVersion() {
        return new ApiVersion(2, 0);
    }

    @Override
    public Module module() {
        return binder -> { };
    }

    @Override
    public List<ZooEntry> zooEntries() {
        ClassLoader loader = ZooPlugin.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException(INDEX + " is missing from the zoo jar: rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(file -> ZooDescriptors.read(loader, "pictor/zoo/" + file)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
