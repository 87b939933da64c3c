package dev.pictor.sample;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Tokenizer;

/**
 * A third-party plugin: tokenizer {@code utf8-bytes} and task verb {@code token-stats}. Built against
 * {@code pictor-api} alone and loaded from a plugins folder in its own class loader.
 *
 * <pre>{@code
 * // drop the jar into ./plugins.d, then in a script:
 * def bytes = pipeline('encoding') { tokenizer 'utf8-bytes'; encoder 'one-hot' }
 * println tokenStats(bytes, texts: ['héllo', 'world'])
 * }</pre>
 */
public final class SamplePlugin implements Plugin {
    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public String description() {
        return "third-party example: byte-level tokenizer and a token-stats task";
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
                tokenizer("utf8-bytes", BytesFactory.class);
                task("token-stats", TokenStatsTask.class);
            }
        };
    }

    /** Settings: {@code maxLength} (default 256). */
    public static final class BytesFactory implements ComponentFactory<Tokenizer> {
        @Override
        public String description() {
            return "UTF-8 bytes as tokens: id = byte + 1, 0 is padding";
        }

        @Override
        public Tokenizer create(ComponentConfig config) {
            config.allowOnly("maxLength");
            return new Utf8BytesTokenizer(config.integer("maxLength", 256));
        }
    }
}
