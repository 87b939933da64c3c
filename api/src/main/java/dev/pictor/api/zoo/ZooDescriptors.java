package dev.pictor.api.zoo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pictor.api.BadInputException;
import dev.pictor.api.artifact.Artifact;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.ComponentKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reads zoo descriptors: small JSON files that a plugin or the zoo module ships beside its weights.
 *
 * <pre>{@code
 * {
 *   "name": "shapes-words",
 *   "task": "encoding",
 *   "description": "word tokenizer for Shapes-world captions with bag-of-words vectors",
 *   "components": [
 *     {"kind": "tokenizer", "name": "word", "settings": {"vocabulary": "artifact:shapes-words.vocab"}},
 *     {"kind": "encoder", "name": "bag-of-words"}
 *   ],
 *   "artifacts": [{"name": "shapes-words.vocab", "sha256": "…", "sources": ["classpath:pictor/zoo/shapes-words.vocab"]}],
 *   "defaults": {},
 *   "modelCard": "classpath:pictor/zoo/shapes-words.md"
 * }
 * }</pre>
 * {@code defaults} (optional) are the pipeline's own defaults for task options ({@link Pipeline#defaults()}): a
 * diffusion model's {@code {"guidance": 3, "guidanceRescale": 0.7}}.
 * Read one with {@code ZooDescriptors.read(getClass().getClassLoader(), "pictor/zoo/shapes-words.json")}.
 */
public final class ZooDescriptors {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ZooDescriptors() {
    }

    record ComponentJson(@JsonProperty(required = true) String kind, @JsonProperty(required = true) String name,
            String role, Map<String, Object> settings) {
    }

    record DescriptorJson(@JsonProperty(required = true) String name, @JsonProperty(required = true) String task,
            String description, @JsonProperty(required = true) List<ComponentJson> components,
            List<Artifact> artifacts, Map<String, Object> defaults, String modelCard) {
    }

    /** Reads the descriptor at {@code resource} in {@code loader}; its {@code classpath:} references use it too. */
    public static ZooEntry read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BadInputException("zoo descriptor " + resource + " is missing from its jar: rebuild the"
                        + " plugin");
            }
            return parse(loader, resource, in.readAllBytes());
        } catch (IOException e) {
            throw new BadInputException("cannot read zoo descriptor " + resource + ": " + e.getMessage());
        }
    }

    static ZooEntry parse(ClassLoader loader, String resource, byte[] json) {
        DescriptorJson d;
        try {
            d = JSON.readValue(json, DescriptorJson.class);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new BadInputException("zoo descriptor " + resource + " is malformed: " + msg);
        }
        Pipeline.Builder builder = Pipeline.builder(d.task()).name(d.name());
        for (ComponentJson c : d.components()) {
            ComponentKind<?> kind = ComponentKind.byId(c.kind()).orElseThrow(() -> BadInputException.unknown(
                    "component kind", c.kind(), ComponentKind.values().stream().map(ComponentKind::id).toList(),
                    "in zoo descriptor " + resource));
            builder.component(kind, c.name(), c.role(), c.settings() == null ? Map.of() : c.settings());
        }
        if (d.artifacts() != null) {
            d.artifacts().forEach(builder::artifact);
        }
        if (d.defaults() != null) {
            builder.defaults(d.defaults());
        }
        return new ZooEntry(d.name(), d.description(), builder.build(), modelCard(loader, resource, d.modelCard()),
                loader);
    }

    private static String modelCard(ClassLoader loader, String resource, String card) {
        if (card == null || !card.startsWith("classpath:")) {
            return card;
        }
        String path = card.substring("classpath:".length());
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new BadInputException("model card " + path + " named by " + resource + " is missing: rebuild"
                        + " the plugin");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot read model card " + path + ": " + e.getMessage());
        }
    }
}
