package dev.pictor.ldm;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;

/**
 * The latent-diffusion plugin: the KL autoencoder and the cross-attention UNet of CompVis's latent diffusion, and
 * their training. DSL verb {@code trainAutoencoder} ({@link AutoencoderTrainTask}).
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
                task("train-autoencoder", AutoencoderTrainTask.class);
            }
        };
    }
}
