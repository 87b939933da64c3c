package dev.pictor.api.plugin;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Component;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.task.Task;
import dev.pictor.api.zoo.ZooEntry;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the loaded plugins provide: component factories by kind and name, task verbs, zoo entries, and the
 * report of what failed to load. Made by {@link PluginLoader}; immutable; close it to release drop-in jars.
 *
 * <pre>{@code
 * try (PluginRegistry registry = PluginLoader.builder().dropIns(Path.of("plugins.d")).load()) {
 *     ComponentFactory<Tokenizer> words = registry.factory(ComponentKind.TOKENIZER, "word");
 * }
 * }</pre>
 */
public final class PluginRegistry implements AutoCloseable {
    /** A registered thing and the plugin that provides it. */
    record Entry<V>(V value, String plugin) {
    }

    private final List<PluginInfo> plugins;
    private final List<PluginFailure> failures;
    private final Map<ComponentKind<?>, Map<String, Entry<ComponentFactory<?>>>> components;
    private final Map<String, Entry<Task>> tasks;
    private final Map<String, Entry<ZooEntry>> zoo;
    private final List<URLClassLoader> dropInLoaders;
    private final ClassLoader resources;

    PluginRegistry(List<PluginInfo> plugins, List<PluginFailure> failures,
            Map<ComponentKind<?>, Map<String, Entry<ComponentFactory<?>>>> components, Map<String, Entry<Task>> tasks,
            Map<String, Entry<ZooEntry>> zoo, List<URLClassLoader> dropInLoaders, ClassLoader parent) {
        this.plugins = List.copyOf(plugins);
        this.failures = List.copyOf(failures);
        this.components = components;
        this.tasks = tasks;
        this.zoo = zoo;
        this.dropInLoaders = List.copyOf(dropInLoaders);
        this.resources = new CompositeLoader(parent, this.dropInLoaders);
    }

    /** Plugins that loaded, in load order (built-ins first, then jars by file name). */
    public List<PluginInfo> plugins() {
        return plugins;
    }

    /** Plugins and jars that were skipped, each with a one-line reason. */
    public List<PluginFailure> failures() {
        return failures;
    }

    /**
     * A note on what failed to load, for errors about something not found (the missing thing may be in a jar that
     * failed): {@code "note: 1 plugin jar failed to load: foo.jar: <reason>; see `pictor plugins`"}, or empty when
     * everything loaded.
     */
    public Optional<String> failureNote() {
        if (failures.isEmpty()) {
            return Optional.empty();
        }
        // a jar with two broken Plugin classes is one jar that failed
        long n = failures.stream().map(PluginFailure::source).distinct().count();
        boolean jars = failures.stream().allMatch(f -> f.source().endsWith(".jar"));
        String noun = (jars ? "plugin jar" : "plugin") + (n == 1 ? "" : "s");
        StringBuilder note = new StringBuilder("note: ").append(n).append(' ').append(noun)
                .append(" failed to load: ");
        int shown = Math.min(failures.size(), 3);
        for (int i = 0; i < shown; i++) {
            PluginFailure f = failures.get(i);
            note.append(i > 0 ? "; " : "").append(f.source()).append(": ").append(f.reason());
        }
        if (failures.size() > shown) {
            note.append("; and ").append(failures.size() - shown).append(" more");
        }
        return Optional.of(note.append("; see `pictor plugins`").toString());
    }

    /** {@code e} with {@link #failureNote()} appended, or {@code e} itself when nothing failed. */
    public BadInputException withFailureNote(BadInputException e) {
        return failureNote().map(note -> new BadInputException(e.getMessage() + " (" + note + ")", e)).orElse(e);
    }

    /** Registered names of one kind, sorted. */
    public Set<String> names(ComponentKind<?> kind) {
        return Collections.unmodifiableSet(new TreeSet<>(components.getOrDefault(kind, Map.of()).keySet()));
    }

    /** Which plugin provides a component. */
    public Optional<String> provider(ComponentKind<?> kind, String name) {
        return Optional.ofNullable(components.getOrDefault(kind, Map.of()).get(name)).map(Entry::plugin);
    }

    /** The factory for a component; an unknown name is an error suggesting the closest. */
    @SuppressWarnings("unchecked")
    public <T extends Component> ComponentFactory<T> factory(ComponentKind<T> kind, String name) {
        Entry<ComponentFactory<?>> e = components.getOrDefault(kind, Map.of()).get(name);
        if (e == null) {
            throw withFailureNote(BadInputException.unknown(kind.id(), name, names(kind), "see `pictor plugins`"));
        }
        return (ComponentFactory<T>) e.value();
    }

    /** Task verbs by name, sorted. */
    public Set<String> taskNames() {
        return Collections.unmodifiableSet(new TreeSet<>(tasks.keySet()));
    }

    /** A task verb, if registered. */
    public Optional<Task> task(String name) {
        return Optional.ofNullable(tasks.get(name)).map(Entry::value);
    }

    /** Zoo entries, sorted by name. */
    public List<ZooEntry> zoo() {
        return zoo.values().stream().map(Entry::value).sorted(java.util.Comparator.comparing(ZooEntry::name)).toList();
    }

    /** The plugin that ships a zoo entry. */
    public Optional<String> zooProvider(String name) {
        return Optional.ofNullable(zoo.get(name)).map(Entry::plugin);
    }

    /** One zoo entry; an unknown name is an error suggesting the closest. */
    public ZooEntry zooEntry(String name) {
        Entry<ZooEntry> e = zoo.get(name);
        if (e == null) {
            throw withFailureNote(BadInputException.unknown("zoo pipeline", name, new TreeSet<>(zoo.keySet()),
                    "see `pictor zoo list`"));
        }
        return e.value();
    }

    /** A class loader that finds resources in the built-in class path and every drop-in jar. */
    public ClassLoader resourceLoader() {
        return resources;
    }

    /** Closes the drop-in jars' class loaders. */
    @Override
    public void close() {
        for (URLClassLoader l : dropInLoaders) {
            try {
                l.close();
            } catch (IOException ignored) {
                // a jar that cannot be closed stays open until exit; nothing is lost
            }
        }
    }

    /** Finds resources in the parent first, then in each drop-in jar. */
    private static final class CompositeLoader extends ClassLoader {
        private final List<URLClassLoader> jars;

        CompositeLoader(ClassLoader parent, List<URLClassLoader> jars) {
            super("pictor-resources", parent);
            this.jars = jars;
        }

        @Override
        protected URL findResource(String name) {
            for (URLClassLoader l : jars) {
                URL u = l.findResource(name);
                if (u != null) {
                    return u;
                }
            }
            return null;
        }

        @Override
        protected Enumeration<URL> findResources(String name) throws IOException {
            List<URL> all = new ArrayList<>();
            for (URLClassLoader l : jars) {
                all.addAll(Collections.list(l.findResources(name)));
            }
            return Collections.enumeration(all);
        }
    }

    static <V> Map<String, Entry<V>> newMap() {
        return new LinkedHashMap<>();
    }
}
