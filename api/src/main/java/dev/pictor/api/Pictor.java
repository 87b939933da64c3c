package dev.pictor.api;

import dev.pictor.api.artifact.Artifact;
import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.device.Backends;
import dev.pictor.api.device.Device;
import dev.pictor.api.pipeline.ComponentSpec;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.plugin.PluginLoader;
import dev.pictor.api.plugin.PluginRegistry;
import dev.pictor.api.spi.Component;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentContext;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.zoo.ZooEntry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime: loaded plugins, the chosen device, the artifact store; opens pipelines.
 *
 * <p>The device can be changed until the first pipeline is opened; opening starts ND4J's backend for it.
 *
 * <pre>{@code
 * try (Pictor pictor = Pictor.builder().device(Device.cpu(2)).plugins(Path.of("plugins.d")).build();
 *      LoadedPipeline words = pictor.open(Pipeline.builder("encoding")
 *              .tokenizer("word", Map.of("corpus", "captions.txt")).encoder("one-hot").build())) {
 *     INDArray x = words.encoder(TokenBatch.class).encode(words.tokenizer().encodeBatch(List.of("a red circle")));
 * }
 * }</pre>
 */
public final class Pictor implements AutoCloseable {
    private final PluginRegistry plugins;
    private final ArtifactStore artifacts;
    private Device device;
    private boolean started;

    private Pictor(PluginRegistry plugins, ArtifactStore artifacts, Device device) {
        this.plugins = plugins;
        this.artifacts = artifacts;
        this.device = device;
    }

    /** Settings for a runtime. */
    public static Builder builder() {
        return new Builder();
    }

    public PluginRegistry plugins() {
        return plugins;
    }

    public ArtifactStore artifacts() {
        return artifacts;
    }

    public synchronized Device device() {
        return device;
    }

    /** Chooses the device; only before the first pipeline is opened. */
    public synchronized void device(Device d) {
        Objects.requireNonNull(d, "device");
        Backends.require(d);
        if (started && !d.equals(device)) {
            throw new PictorException("device " + d + " chosen after pipelines started on " + device
                    + ": choose the device once, before the first pipeline");
        }
        device = d;
    }

    /** A zoo entry by name (unknown names get a suggestion). */
    public ZooEntry zoo(String name) {
        return plugins.zooEntry(name);
    }

    /** Opens a pipeline; relative paths in its settings start at the working directory. */
    public LoadedPipeline open(Pipeline pipeline) {
        return open(pipeline, Path.of("").toAbsolutePath());
    }

    /** Opens a zoo entry's pipeline. */
    public LoadedPipeline open(ZooEntry entry) {
        return open(entry.pipeline());
    }

    /**
     * Opens what a script or task passed as a pipeline: a {@link Pipeline}, an already {@link LoadedPipeline}
     * (returned as is), a {@link ZooEntry}, or a zoo name.
     */
    public LoadedPipeline open(Object pipeline, Path baseDirectory) {
        if (pipeline instanceof LoadedPipeline loaded) {
            return loaded;
        }
        if (pipeline instanceof ZooEntry entry) {
            return open(entry.pipeline(), baseDirectory);
        }
        if (pipeline instanceof CharSequence name) {
            return open(zoo(name.toString()).pipeline(), baseDirectory);
        }
        if (pipeline instanceof Pipeline p) {
            return open(p, baseDirectory);
        }
        throw new BadInputException("expected a pipeline (pipeline { … }, zoo 'name' or a zoo name), got "
                + (pipeline == null ? "null" : pipeline.getClass().getSimpleName()));
    }

    /** Opens a pipeline; relative paths in settings start at {@code baseDirectory}. */
    public LoadedPipeline open(Pipeline pipeline, Path baseDirectory) {
        start();
        Context context = new Context(pipeline, baseDirectory.toAbsolutePath());
        Map<String, Component> made = new LinkedHashMap<>();
        try {
            for (ComponentSpec spec : pipeline.components()) {
                made.put(spec.role(), context.create(spec.kind(), spec.name(), spec.settings()));
            }
        } catch (RuntimeException e) {
            made.values().forEach(Component::close);
            throw e;
        }
        return new LoadedPipeline(pipeline, made);
    }

    private synchronized void start() {
        if (!started) {
            Backends.activate(device);
            started = true;
        }
    }

    @Override
    public void close() {
        plugins.close();
    }

    private final class Context implements ComponentContext {
        private final Pipeline pipeline;
        private final Path base;

        Context(Pipeline pipeline, Path base) {
            this.pipeline = pipeline;
            this.base = base;
        }

        @Override
        public Path baseDirectory() {
            return base;
        }

        @Override
        public Path artifact(String name) {
            Artifact a = pipeline.artifact(name).orElseThrow(() -> BadInputException.unknown(
                    "artifact of pipeline '" + pipeline.name() + "'", name,
                    pipeline.artifacts().stream().map(Artifact::name).toList(), "list it under artifacts"));
            return artifacts.resolve(a, plugins.resourceLoader());
        }

        @Override
        public Device device() {
            return Pictor.this.device();
        }

        @Override
        public <T extends Component> T create(ComponentKind<T> kind, String name, Map<String, ?> settings) {
            T component = plugins.factory(kind, name).create(new ComponentConfig(kind, name, settings, this));
            if (!kind.type().isInstance(component)) {
                throw new PictorException(kind.id() + " '" + name + "' made a " + component.getClass().getName()
                        + ", which is not a " + kind.type().getSimpleName() + ": fix the plugin that provides it");
            }
            return component;
        }
    }

    /** Settings of a {@link Pictor}. */
    public static final class Builder {
        private Path pluginsDir = Path.of("plugins.d");
        private Device device = Device.cpu();
        private ArtifactStore artifacts;
        private boolean online;
        private ClassLoader classPath = Pictor.class.getClassLoader();

        private Builder() {
        }

        /** Drop-in plugin folder (default {@code ./plugins.d}; null for none). */
        public Builder plugins(Path folder) {
            this.pluginsDir = folder;
            return this;
        }

        public Builder device(Device d) {
            this.device = Objects.requireNonNull(d, "device");
            return this;
        }

        /** Artifact store (default: {@link ArtifactStore#defaults()}). */
        public Builder artifacts(ArtifactStore store) {
            this.artifacts = store;
            return this;
        }

        /** Allow fetching artifacts from URLs (default false). */
        public Builder online(boolean allowed) {
            this.online = allowed;
            return this;
        }

        /** Where built-in plugins are looked for. */
        public Builder classPath(ClassLoader loader) {
            this.classPath = loader;
            return this;
        }

        public Pictor build() {
            ArtifactStore store = (artifacts != null ? artifacts : ArtifactStore.defaults()).withOnline(online
                    || (artifacts != null && artifacts.online()));
            PluginRegistry registry = PluginLoader.builder().classPath(classPath).dropIns(pluginsDir).load();
            return new Pictor(registry, store, device);
        }
    }
}
