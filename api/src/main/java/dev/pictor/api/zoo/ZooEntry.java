package dev.pictor.api.zoo;

import dev.pictor.api.pipeline.Pipeline;
import java.util.Objects;

/**
 * A pretrained pipeline: what to build ({@link Pipeline}, whose artifacts pin every weight file by SHA-256),
 * what it is for, and its model card.
 *
 * @param name        the zoo name, e.g. {@code "shapes-words"}
 * @param description one line for {@code pictor zoo list}
 * @param pipeline    the components and artifacts
 * @param modelCard   Markdown: data, recipe, metrics, provenance
 * @param resources   class loader that holds the entry's {@code classpath:} artifacts (its plugin's)
 *
 * <pre>{@code
 * ZooEntry e = ZooDescriptors.read(MyPlugin.class.getClassLoader(), "pictor/zoo/shapes-words.json");
 * e.pipeline().task();   // "encoding"
 * }</pre>
 */
public record ZooEntry(String name, String description, Pipeline pipeline, String modelCard,
        ClassLoader resources) {
    public ZooEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(resources, "resources");
        description = description == null ? "" : description;
        modelCard = modelCard == null ? "" : modelCard;
    }

    /** The pipeline's task. */
    public String task() {
        return pipeline.task();
    }
}
