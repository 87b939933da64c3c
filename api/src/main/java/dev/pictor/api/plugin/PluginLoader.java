package dev.pictor.api.plugin;

import com.google.inject.Binding;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.util.Types;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.task.Task;
import dev.pictor.api.zoo.ZooEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds plugins and builds a {@link PluginRegistry}: built-in plugins through {@link ServiceLoader} on the class
 * path, then every {@code *.jar} of the drop-in folder, each in its own class loader whose parent is the API's.
 *
 * <p>One broken plugin never takes down the others: a file that is not a jar, a jar without a plugin entry, a
 * missing class, an incompatible API version, a Guice error, or a component, task or zoo name another plugin
 * already has, each become a {@link PluginFailure} with a one-line reason, and the plugin is skipped whole
 * (none of its components are registered).
 *
 * <p>Each plugin's module goes into its own child injector of a shared core injector, so one plugin's bindings
 * cannot break another's and duplicates are caught per plugin rather than failing the whole injector.
 *
 * <pre>{@code
 * PluginRegistry registry = PluginLoader.builder().dropIns(Path.of("plugins.d")).load();
 * registry.failures().forEach(f -> System.err.println(f.source() + ": " + f.reason()));
 * }</pre>
 */
public final class PluginLoader {
    /** The service file a plugin jar must have. */
    public static final String SERVICE_FILE = "META-INF/services/" + Plugin.class.getName();
    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

    private final ClassLoader classPath;
    private final Path dropIns;
    private final ApiVersion api;
    private final Module core;
    private final boolean builtIns;

    private final List<PluginInfo> infos = new ArrayList<>();
    private final List<PluginFailure> failures = new ArrayList<>();
    private final Map<ComponentKind<?>, Map<String, PluginRegistry.Entry<ComponentFactory<?>>>> components =
            new LinkedHashMap<>();
    private final Map<String, PluginRegistry.Entry<Task>> tasks = PluginRegistry.newMap();
    private final Map<String, PluginRegistry.Entry<ZooEntry>> zoo = PluginRegistry.newMap();
    private final List<URLClassLoader> loaders = new ArrayList<>();

    private PluginLoader(Builder b) {
        this.classPath = b.classPath;
        this.dropIns = b.dropIns;
        this.api = b.api;
        this.core = b.core;
        this.builtIns = b.builtIns;
        ComponentKind.values().forEach(k -> components.put(k, new LinkedHashMap<>()));
    }

    /** Settings of a load; {@link Builder#load()} runs it. */
    public static Builder builder() {
        return new Builder();
    }

    private PluginRegistry run() {
        Injector coreInjector = Guice.createInjector(core);
        if (builtIns) {
            loadBuiltIns(coreInjector);
        }
        if (dropIns != null) {
            loadDropIns(coreInjector);
        }
        return new PluginRegistry(infos, failures, components, tasks, zoo, loaders, classPath);
    }

    private void loadBuiltIns(Injector coreInjector) {
        Iterator<Plugin> it = ServiceLoader.load(Plugin.class, classPath).iterator();
        List<Plugin> found = new ArrayList<>();
        for (int errors = 0; errors < 100; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                errors++;
                failures.add(new PluginFailure("class path", "a built-in plugin cannot be loaded: "
                        + oneLine(e) + " (rebuild the app: `mvn -B -DskipTests package`)"));
            }
        }
        // Class-path order varies between launchers; sort so listings and duplicate checks never depend on it.
        found.sort(java.util.Comparator.comparing(p -> p.getClass().getName()));
        for (Plugin plugin : found) {
            accept(plugin, "built-in", coreInjector);
        }
    }

    private void loadDropIns(Injector coreInjector) {
        if (!Files.isDirectory(dropIns)) {
            LOG.debug("no plugins folder at {}", dropIns);
            return;
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(dropIns, "*.jar")) {
            dir.forEach(jars::add);
        } catch (IOException e) {
            failures.add(new PluginFailure(dropIns.toString(), "cannot list the plugins folder: " + e.getMessage()));
            return;
        }
        jars.sort(null);
        for (Path jar : jars) {
            loadJar(jar, coreInjector);
        }
    }

    private void loadJar(Path jar, Injector coreInjector) {
        String source = jar.getFileName().toString();
        List<String> classNames;
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry entry = file.getJarEntry(SERVICE_FILE);
            if (entry == null) {
                failures.add(new PluginFailure(source, "not a Pictor plugin: the jar has no " + SERVICE_FILE
                        + " (add one naming your Plugin class)"));
                return;
            }
            try (InputStream in = file.getInputStream(entry)) {
                classNames = serviceClassNames(in);
            }
        } catch (IOException | SecurityException e) {
            failures.add(new PluginFailure(source, "not a readable jar (" + oneLine(e) + "): rebuild it or remove it"
                    + " from " + dropIns));
            return;
        }
        if (classNames.isEmpty()) {
            failures.add(new PluginFailure(source, SERVICE_FILE + " names no class: add your Plugin class to it"));
            return;
        }
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("plugin:" + source, new URL[] {jar.toUri().toURL()},
                    Plugin.class.getClassLoader());
        } catch (IOException e) {
            failures.add(new PluginFailure(source, "cannot open: " + oneLine(e)));
            return;
        }
        int accepted = 0;
        for (String className : classNames) {
            Plugin plugin;
            try {
                Class<?> type = Class.forName(className, true, loader);
                if (!Plugin.class.isAssignableFrom(type)) {
                    failures.add(new PluginFailure(source, className + " does not implement " + Plugin.class.getName()
                            + " (or was built against another copy of pictor-api bundled in the jar: leave it out)"));
                    continue;
                }
                plugin = (Plugin) type.getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                failures.add(new PluginFailure(source, "class " + className + " named in " + SERVICE_FILE
                        + " is not in the jar: fix the service file or rebuild the jar"));
                continue;
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                failures.add(new PluginFailure(source, "cannot create " + className + ": " + reason(e)));
                continue;
            }
            if (accept(plugin, source, coreInjector)) {
                accepted++;
            }
        }
        if (accepted > 0) {
            loaders.add(loader);
        } else {
            try {
                loader.close();
            } catch (IOException ignored) {
                // skipped jar: nothing of it is in use
            }
        }
    }

    static List<String> serviceClassNames(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            int hash = line.indexOf('#');
            String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** Validates and registers one plugin; returns whether it was accepted. */
    private boolean accept(Plugin plugin, String source, Injector coreInjector) {
        String name = "?";
        try {
            name = plugin.name();
            // Everything the listing shows is read and checked first, so a plugin that fails here has registered
            // nothing and cannot break `pictor plugins` later.
            if (name == null || name.isBlank() || !name.equals(name.strip()) || name.contains("\n")) {
                return fail(source, "plugin class " + plugin.getClass().getName() + " has no usable name(): return a"
                        + " short name without spaces at its ends");
            }
            String where = "plugin '" + name + "'";
            String version = plugin.version();
            String description = plugin.description();
            ApiVersion required = plugin.apiVersion();
            if (version == null || version.isBlank() || version.contains("\n") || required == null
                    || description == null || description.contains("\n")) {
                return fail(source, where + " must return a version, an API version and a one-line description"
                        + " (not null)");
            }
            if (!api.supports(required)) {
                return fail(source, where + " needs API " + required + " but this Pictor has API " + api
                        + ": get a version of the plugin built for API " + api.major() + "." + api.minor()
                        + (required.compareTo(api) > 0 ? " or upgrade Pictor" : ""));
            }
            String pluginName = name;
            if (infos.stream().anyMatch(p -> p.name().equals(pluginName))) {
                String other = infos.stream().filter(p -> p.name().equals(pluginName)).findFirst()
                        .map(PluginInfo::source).orElse("");
                return fail(source, where + " is already loaded (from " + other + "): remove one copy");
            }
            Injector injector = coreInjector.createChildInjector(plugin.module());
            Map<ComponentKind<?>, Map<String, ComponentFactory<?>>> mine = new LinkedHashMap<>();
            for (ComponentKind<?> kind : ComponentKind.values()) {
                Map<String, ComponentFactory<?>> bound = boundMap(injector,
                        Key.get(Types.mapOf(String.class, PluginModule.factoryType(kind).getType())));
                for (String component : bound.keySet()) {
                    PluginRegistry.Entry<ComponentFactory<?>> clash = components.get(kind).get(component);
                    if (clash != null) {
                        return fail(source, where + ": " + kind.id() + " '" + component + "' is already provided by"
                                + " plugin '" + clash.plugin() + "': rename it in one of them");
                    }
                }
                mine.put(kind, bound);
            }
            Map<String, Task> myTasks = boundMap(injector, Key.get(Types.mapOf(String.class, Task.class)));
            for (String task : myTasks.keySet()) {
                if (tasks.containsKey(task)) {
                    return fail(source, where + ": task '" + task + "' is already provided by plugin '"
                            + tasks.get(task).plugin() + "': rename it in one of them");
                }
            }
            List<ZooEntry> myZoo = List.copyOf(plugin.zooEntries());
            java.util.Set<String> myZooNames = new java.util.HashSet<>();
            for (ZooEntry entry : myZoo) {
                if (!myZooNames.add(entry.name())) {
                    return fail(source, where + " lists zoo pipeline '" + entry.name() + "' twice: rename one");
                }
                if (zoo.containsKey(entry.name())) {
                    return fail(source, where + ": zoo pipeline '" + entry.name() + "' is already provided by"
                            + " plugin '" + zoo.get(entry.name()).plugin() + "': rename it in one of them");
                }
            }
            // Everything checked: register it all at once, so a rejected plugin leaves nothing behind.
            Map<String, List<String>> componentNames = new TreeMap<>();
            for (Map.Entry<ComponentKind<?>, Map<String, ComponentFactory<?>>> e : mine.entrySet()) {
                e.getValue().forEach((n, f) -> components.get(e.getKey()).put(n, new PluginRegistry.Entry<>(f,
                        pluginName)));
                if (!e.getValue().isEmpty()) {
                    componentNames.put(e.getKey().id(), e.getValue().keySet().stream().sorted().toList());
                }
            }
            myTasks.forEach((n, t) -> tasks.put(n, new PluginRegistry.Entry<>(t, pluginName)));
            myZoo.forEach(z -> zoo.put(z.name(), new PluginRegistry.Entry<>(z, pluginName)));
            infos.add(new PluginInfo(name, version, required, description, source,
                    componentNames, myTasks.keySet().stream().sorted().toList(),
                    myZoo.stream().map(ZooEntry::name).sorted().toList()));
            LOG.debug("loaded plugin {} {} from {}", name, version, source);
            return true;
        } catch (LinkageError | RuntimeException e) {
            return fail(source, "plugin '" + name + "' failed to start: " + reason(e));
        }
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> boundMap(Injector injector, Key<?> key) {
        Binding<?> binding = injector.getExistingBinding(key);
        return binding == null ? Map.of() : new LinkedHashMap<>((Map<String, V>) binding.getProvider().get());
    }

    private boolean fail(String source, String reason) {
        failures.add(new PluginFailure(source, reason));
        LOG.debug("skipped plugin from {}: {}", source, reason);
        return false;
    }

    /** One line for any failure, naming a missing class when that is the cause. */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) {
                String missing = String.valueOf(t.getMessage()).replace('/', '.');
                return "missing class " + missing + ": the jar lacks a dependency; bundle it into the plugin jar";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (e instanceof CreationException ce && !ce.getErrorMessages().isEmpty()) {
            return "Guice: " + firstLine(ce.getErrorMessages().iterator().next().getMessage());
        }
        return oneLine(root);
    }

    private static String oneLine(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + firstLine(msg));
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }

    /** Settings of a plugin load. */
    public static final class Builder {
        private ClassLoader classPath = PluginLoader.class.getClassLoader();
        private Path dropIns;
        private ApiVersion api = ApiVersion.CURRENT;
        private Module core = binder -> { };
        private boolean builtIns = true;

        private Builder() {
        }

        /** Where built-in plugins are looked for (default: the API's class loader). */
        public Builder classPath(ClassLoader loader) {
            this.classPath = loader;
            return this;
        }

        /** The drop-in folder; a missing folder is no error (there is simply nothing to drop in). */
        public Builder dropIns(Path folder) {
            this.dropIns = folder;
            return this;
        }

        /** The API version plugins are checked against (default {@link ApiVersion#CURRENT}). */
        public Builder apiVersion(ApiVersion version) {
            this.api = version;
            return this;
        }

        /** Bindings every plugin may inject (runtime services). */
        public Builder coreModule(Module module) {
            this.core = module;
            return this;
        }

        /** Whether to load plugins from the class path (default true). */
        public Builder builtIns(boolean load) {
            this.builtIns = load;
            return this;
        }

        public PluginRegistry load() {
            return new PluginLoader(this).run();
        }
    }
}
