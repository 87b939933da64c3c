package dev.pictor.api.pipeline;

import dev.pictor.api.BadInputException;
import dev.pictor.api.artifact.Artifact;
import dev.pictor.api.spi.ComponentKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable composition of named components for one task, plus the artifacts its settings refer to.
 * The DSL's {@code pipeline('task') { … }} and this class's {@link #builder(String)} make the same value.
 *
 * @param task       the task, e.g. {@code "encoding"} or {@code "text-to-image"}
 * @param name       a name for provenance ({@code "custom"}, or the zoo entry's name)
 * @param components the components, each with a unique role
 * @param artifacts  artifacts that settings name as {@code artifact:NAME}
 * @param defaults   the pipeline's own defaults for options of the tasks that run it, e.g. {@code guidance: 3} for
 *                   a diffusion model trained to be sampled that way: used where a request does not name the option
 *                   (a model knows its best settings better than a global default does — diffusers keeps them in
 *                   each pipeline's call signature); empty for most
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder("encoding")
 *         .tokenizer("word", Map.of("corpus", "captions.txt"))
 *         .encoder("one-hot")
 *         .build();
 * }</pre>
 */
public record Pipeline(String task, String name, List<ComponentSpec> components, List<Artifact> artifacts,
        Map<String, Object> defaults) {
    public Pipeline {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(name, "name");
        components = List.copyOf(components);
        artifacts = List.copyOf(artifacts);
        defaults = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        defaults.forEach((k, v) -> {
            if (v == null) {
                throw new BadInputException("pipeline '" + name + "' has no value for its default '" + k + "'");
            }
        });
        Map<String, ComponentSpec> roles = new LinkedHashMap<>();
        for (ComponentSpec c : components) {
            if (roles.put(c.role(), c) != null) {
                throw new BadInputException("pipeline '" + name + "' has two components in role '" + c.role()
                        + "': give one of them another role (as: 'other')");
            }
        }
        Map<String, Artifact> names = new LinkedHashMap<>();
        for (Artifact a : artifacts) {
            if (names.put(a.name(), a) != null) {
                throw new BadInputException("pipeline '" + name + "' lists artifact '" + a.name() + "' twice");
            }
        }
    }

    /** A pipeline without defaults of its own. */
    public Pipeline(String task, String name, List<ComponentSpec> components, List<Artifact> artifacts) {
        this(task, name, components, artifacts, Map.of());
    }

    /** A builder for a pipeline of the given task. */
    public static Builder builder(String task) {
        return new Builder(task);
    }

    /** The component in {@code role}, if any. */
    public Optional<ComponentSpec> component(String role) {
        return components.stream().filter(c -> c.role().equals(role)).findFirst();
    }

    /** The components of one kind, in order. */
    public List<ComponentSpec> components(ComponentKind<?> kind) {
        return components.stream().filter(c -> c.kind() == kind).toList();
    }

    /** The artifact with this name, if the pipeline lists it. */
    public Optional<Artifact> artifact(String artifactName) {
        return artifacts.stream().filter(a -> a.name().equals(artifactName)).findFirst();
    }

    /** A copy with another name (zoo entries name their pipelines). */
    public Pipeline named(String newName) {
        return new Pipeline(task, newName, components, artifacts, defaults);
    }

    /** Builds a {@link Pipeline}; every method returns this builder. */
    public static final class Builder {
        private final String task;
        private String name = "custom";
        private final List<ComponentSpec> components = new ArrayList<>();
        private final List<Artifact> artifacts = new ArrayList<>();
        private final Map<String, Object> defaults = new LinkedHashMap<>();

        private Builder(String task) {
            this.task = Objects.requireNonNull(task, "task");
        }

        public Builder name(String pipelineName) {
            this.name = pipelineName;
            return this;
        }

        public Builder component(ComponentKind<?> kind, String componentName, String role, Map<String, ?> settings) {
            components.add(new ComponentSpec(kind, componentName, role, new LinkedHashMap<>(settings)));
            return this;
        }

        public Builder tokenizer(String componentName) {
            return tokenizer(componentName, Map.of());
        }

        public Builder tokenizer(String componentName, Map<String, ?> settings) {
            return component(ComponentKind.TOKENIZER, componentName, null, settings);
        }

        public Builder encoder(String componentName) {
            return encoder(componentName, Map.of());
        }

        public Builder encoder(String componentName, Map<String, ?> settings) {
            return component(ComponentKind.ENCODER, componentName, null, settings);
        }

        public Builder quantizer(String componentName, Map<String, ?> settings) {
            return component(ComponentKind.QUANTIZER, componentName, null, settings);
        }

        public Builder denoiser(String componentName, Map<String, ?> settings) {
            return component(ComponentKind.DENOISER, componentName, null, settings);
        }

        public Builder sampler(String componentName, Map<String, ?> settings) {
            return component(ComponentKind.SAMPLER, componentName, null, settings);
        }

        public Builder artifact(Artifact artifact) {
            artifacts.add(artifact);
            return this;
        }

        /** Adds defaults for the options of the tasks that run this pipeline (see {@link Pipeline#defaults()}). */
        public Builder defaults(Map<String, ?> options) {
            defaults.putAll(options);
            return this;
        }

        public Pipeline build() {
            return new Pipeline(task, name, components, artifacts, defaults);
        }
    }
}
