package dev.pictor.ldm;

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
 * The latent-diffusion plugin: quantizer {@code kl-autoencoder} ({@link KlAutoencoderQuantizer}), denoiser
 * {@code ldm-unet} ({@link UNetDenoiser}, on the fused engine), each with settings {@code weights} (safetensors in
 * upstream's names) and {@code config} (its config.json); DSL verbs {@code trainAutoencoder}
 * ({@link AutoencoderTrainTask}) and {@code trainLdm} ({@link LdmTrainTask}).
 *
 * <pre>{@code
 * def t2i = pipeline('text-to-image') {
 *     tokenizer 'clip-bpe', merges: 'text/bpe.txt', contextLength: 32
 *     encoder 'clip-text', weights: 'text/model.safetensors', config: 'text/config.json'
 *     quantizer 'kl-autoencoder', weights: 'ae/model.safetensors', config: 'ae/config.json'
 *     denoiser 'ldm-unet', weights: 'unet/model.safetensors', config: 'unet/config.json'
 *     sampler 'dpm-solver++'
 * }
 * }</pre>
 */
public final class LdmPlugin implements Plugin {
    @Override
    public String name() {
        return "ldm";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "latent diffusion: KL autoencoder, cross-attention UNet (Stable Diffusion 1.x layouts), their training";
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
                quantizer("kl-autoencoder", AutoencoderFactory.class);
                denoiser("ldm-unet", UNetFactory.class);
                task("train-autoencoder", AutoencoderTrainTask.class);
                task("train-ldm", LdmTrainTask.class);
                task("eval-shapes-generation", dev.pictor.ldm.eval.ShapesGenerationEvalTask.class);
                task("eval-fashion-generation", dev.pictor.ldm.eval.FashionGenerationEvalTask.class);
            }
        };
    }

    /** Settings: {@code weights}, {@code config}. */
    public static final class AutoencoderFactory implements ComponentFactory<Quantizer> {
        @Override
        public String description() {
            return "latent diffusion's KL autoencoder: images to scaled latents and back";
        }

        @Override
        public Quantizer create(ComponentConfig c) {
            c.allowOnly("weights", "config");
            return new KlAutoencoderQuantizer(AutoencoderConfig.read(c.requirePath("config")),
                    Safetensors.read(c.requirePath("weights")));
        }
    }

    /** Settings: {@code weights}, {@code config} (a {@link DenoiserConfig}). */
    public static final class UNetFactory implements ComponentFactory<Denoiser> {
        @Override
        public String description() {
            return "latent diffusion's cross-attention UNet (noise prediction on fused oneDNN kernels)";
        }

        @Override
        public Denoiser create(ComponentConfig c) {
            c.allowOnly("weights", "config");
            return new UNetDenoiser(DenoiserConfig.read(c.requirePath("config")),
                    Safetensors.read(c.requirePath("weights")));
        }
    }
}
