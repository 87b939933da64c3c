package dev.pictor.clip;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Tokenizer;

/**
 * The CLIP plugin: tokenizer {@code clip-bpe} (OpenAI's byte-level BPE; setting {@code contextLength}, 77).
 *
 * <pre>{@code
 * // in a DSL script
 * def clip = pipeline('zero-shot') { tokenizer 'clip-bpe' … }
 * }</pre>
 */
public final class ClipPlugin implements Plugin {
    @Override
    public String name() {
        return "clip";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "CLIP: OpenAI's byte-level BPE tokenizer";
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
                tokenizer("clip-bpe", BpeFactory.class);
            }
        };
    }

    /** Settings: {@code contextLength} (77). */
    public static final class BpeFactory implements ComponentFactory<Tokenizer> {
        @Override
        public String description() {
            return "OpenAI CLIP's byte-level BPE, 49,408 ids, start and end tokens, context 77";
        }

        @Override
        public Tokenizer create(ComponentConfig c) {
            c.allowOnly("contextLength");
            return ClipBpeTokenizer.withContext(c.integer("contextLength", ClipBpeTokenizer.CONTEXT));
        }
    }
}
