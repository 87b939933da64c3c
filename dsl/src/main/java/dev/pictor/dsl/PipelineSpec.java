package dev.pictor.dsl;

import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.plugin.PluginRegistry;
import dev.pictor.api.spi.ComponentKind;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The delegate of a {@code pipeline('task') { … }} block: one method per SPI, each taking the registered name
 * and its settings as named arguments. A name no plugin provides is an error at the line that uses it, with
 * the closest name suggested. The reserved setting {@code as} gives the component a role (for two encoders).
 *
 * <pre>{@code
 * pipeline('encoding') {
 *     tokenizer 'word', corpus: 'captions.txt', minCount: 2
 *     encoder 'bag-of-words', normalize: true
 * }
 * }</pre>
 */
public class PipelineSpec {
    private final PluginRegistry registry;
    private final Pipeline.Builder builder;

    PipelineSpec(PluginRegistry registry, String task) {
        this.registry = registry;
        this.builder = Pipeline.builder(task);
    }

    /** Names the pipeline (for provenance). */
    public void name(String name) {
        builder.name(name);
    }

    /**
     * The pipeline's own defaults for the options of the tasks that run it ({@link Pipeline#defaults()}), e.g.
     * {@code defaults guidance: 3, guidanceRescale: 0.7}.
     */
    public void defaults(Map<String, ?> options) {
        builder.defaults(options);
    }

    public void tokenizer(String name) {
        add(ComponentKind.TOKENIZER, Map.of(), name);
    }

    public void tokenizer(Map<String, ?> settings, String name) {
        add(ComponentKind.TOKENIZER, settings, name);
    }

    public void encoder(String name) {
        add(ComponentKind.ENCODER, Map.of(), name);
    }

    public void encoder(Map<String, ?> settings, String name) {
        add(ComponentKind.ENCODER, settings, name);
    }

    public void quantizer(String name) {
        add(ComponentKind.QUANTIZER, Map.of(), name);
    }

    public void quantizer(Map<String, ?> settings, String name) {
        add(ComponentKind.QUANTIZER, settings, name);
    }

    public void denoiser(String name) {
        add(ComponentKind.DENOISER, Map.of(), name);
    }

    public void denoiser(Map<String, ?> settings, String name) {
        add(ComponentKind.DENOISER, settings, name);
    }

    public void sampler(String name) {
        add(ComponentKind.SAMPLER, Map.of(), name);
    }

    public void sampler(Map<String, ?> settings, String name) {
        add(ComponentKind.SAMPLER, settings, name);
    }

    private void add(ComponentKind<?> kind, Map<String, ?> settings, String name) {
        registry.factory(kind, name); // fails here, at the script line, for an unknown name
        Map<String, Object> rest = new LinkedHashMap<>(settings);
        Object role = rest.remove("as");
        builder.component(kind, name, role == null ? null : role.toString(), rest);
    }

    Pipeline build() {
        return builder.build();
    }
}
