package dev.pictor.dalle;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Denoiser;
import dev.pictor.api.spi.Quantizer;
import dev.pictor.api.weights.Safetensors;

/**
 * The DALL·E plugin: denoiser {@code dalle} ({@link DalleDenoiser}: the transformer, settings {@code weights} and
 * {@code config}; {@code generate} draws its image tokens), quantizer {@code dvae} ({@link DvaeQuantizer}: OpenAI's
 * discrete VAE, settings {@code weights} — safetensors in upstream's names under {@code encoder.} and
 * {@code decoder.} — and {@code config}); DSL verbs {@code trainDvae} ({@link DvaeTrainTask}) and
 * {@code trainDalle} ({@link DalleTrainTask}).
 *
 * <pre>{@code
 * def dalle = pipeline('my-dalle') {
 *     tokenizer 'clip-bpe', merges: 'transformer/bpe.txt', contextLength: 18
 *     denoiser 'dalle', weights: 'transformer/model.safetensors', config: 'transformer/config.json'
 *     quantizer 'dvae', weights: 'dvae/model.safetensors', config: 'dvae/config.json'
 *     sampler 'categorical', topK: 64
 * }
 * generate dalle, prompt: 'a red circle', count: 4, out: 'out'
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
                denoiser("dalle", TransformerFactory.class);
                task("train-dvae", DvaeTrainTask.class);
                task("train-dalle", DalleTrainTask.class);
            }
        };
    }

    /** Settings: {@code weights}, {@code config} (DalleConfig's JSON). */
    public static final class TransformerFactory implements ComponentFactory<Denoiser> {
        @Override
        public String description() {
            return "DALL·E's transformer: text tokens then image codes, decoded with a key/value cache";
        }

        @Override
        public Denoiser create(ComponentConfig c) {
            c.allowOnly("weights", "config");
            return new DalleDenoiser(DalleConfig.read(c.requirePath("config")),
                    Safetensors.read(c.requirePath("weights")));
        }
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
