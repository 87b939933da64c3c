package dev.pictor.api.plugin;

import com.google.inject.Module;
import dev.pictor.api.autoregressive.LogitsSampler;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Sampler;

/**
 * The components that come with the API itself, because the API's own loops use them: the token sampler
 * {@code categorical} (settings {@code temperature} 1, {@code topK} 0 = all, {@code topP} 1 = all).
 *
 * <pre>{@code
 * // in a DSL script
 * sampler 'categorical', temperature: 0.9, topK: 50
 * }</pre>
 */
public final class CorePlugin implements Plugin {
    @Override
    public String name() {
        return "core";
    }

    @Override
    public String version() {
        return ApiVersion.CURRENT.toString();
    }

    @Override
    public String description() {
        return "built into the API: the categorical token sampler (temperature, top-k, top-p)";
    }

    @Override
    public ApiVersion apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public Module module() {
        return new PluginModule() {
            @Override
            protected void configureComponents() {
                sampler("categorical", Categorical.class);
            }
        };
    }

    /** Settings: {@code temperature} (1; 0 is greedy), {@code topK} (0 = all), {@code topP} (1 = all). */
    public static final class Categorical implements ComponentFactory<Sampler> {
        @Override
        public String description() {
            return "next token drawn after temperature, top-k and top-p (temperature 0: greedy)";
        }

        @Override
        public Sampler create(ComponentConfig c) {
            c.allowOnly("temperature", "topK", "topP");
            return new LogitsSampler(c.real("temperature", 1), c.integer("topK", 0), c.real("topP", 1));
        }
    }
}
