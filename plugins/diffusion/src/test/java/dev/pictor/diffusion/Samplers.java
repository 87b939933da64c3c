package dev.pictor.diffusion;

import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.DiffusionSampler;
import java.util.Map;

/** The plugin's samplers by name, made through their factories as a pipeline makes them. */
final class Samplers {
    static final Map<String, DiffusionPlugin.Factory> FACTORIES = DiffusionPlugin.FACTORIES.stream()
            .collect(java.util.stream.Collectors.toMap(f -> f.name, f -> f));

    private Samplers() {
    }

    static DiffusionSampler make(String name, Map<String, ?> settings) {
        return (DiffusionSampler) FACTORIES.get(name).create(new ComponentConfig(ComponentKind.SAMPLER, name, settings,
                null));
    }

    static DiffusionSampler make(String name) {
        return make(name, Map.of());
    }
}
