package dev.pictor.dalle;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Quantizer;
import dev.pictor.api.weights.Safetensors;

/**
 * The DALL·E plugin: quantizer {@code dvae} ({@link DvaeQuantizer}: OpenAI's discrete VAE, settings {@code weights}
 * — safetensors in upstream's names under {@code encoder.} and {@code decoder.} — and {@code config}); DSL verb
 * {@code trainDvae} ({@link DvaeTrainTask}).
 *
 * <pre>{@code
 * def codes = pipeline('image-tokens') {
 *     quantizer 'dvae', weights: 'dvae/model.safetensors', config: 'dvae/config.json'
 * }
 * }</pre>
 */
public final class DallePlugin implements Plugin {
    @Override
    public String name() {
        return "dalle";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "DALL·E: OpenAI's discrete VAE (Gumbel-softmax) and its training";
    }

    @Override
    public ApiVersion apiVersion() {
        return new ApiVersion(2, 0);
    }

    @Override
    public Module module() {
        return new PluginModule() {
            @Override
            protected void configureComponents() {
                quantizer("dvae", DvaeFactory.class);
                task("train-dvae", DvaeTrainTask.class);
            }
        };
    }

    /** Settings: {@code weights}, {@code config}. */
    public static final class DvaeFactory implements ComponentFactory<Quantizer> {
        @Override
        public String description() {
            return "DALL·E's discrete VAE: images to a grid of code ids and back";
        }

        @Override
        public Quantizer create(ComponentConfig c) {
            c.allowOnly("weights", "config");
            return new DvaeQuantizer(DvaeConfig.read(c.requirePath("config")),
                    Safetensors.read(c.requirePath("weights")));
        }
    }
}
