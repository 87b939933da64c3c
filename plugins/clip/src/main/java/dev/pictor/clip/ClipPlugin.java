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
        return "CLIP: OpenAI's byte-level BPE tokenizer, text and image encoders (ViT, ModifiedResNet), contrastive"
                + " training and evaluation";
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
                encoder("clip-text", TextFactory.class);
                encoder("clip-image", ImageFactory.class);
                task("train-clip", ClipTrainTask.class);
                task("eval-clip", ClipEvalTask.class);
            }
        };
    }

    /** Settings: {@code merges} (a merges file of a model's own; default OpenAI's), {@code contextLength} (77). */
    public static final class BpeFactory implements ComponentFactory<Tokenizer> {
        @Override
        public String description() {
            return "CLIP's byte-level BPE: OpenAI's 49,408 ids (default) or a model's own merges; start and end tokens";
        }

        @Override
        public Tokenizer create(ComponentConfig c) {
            c.allowOnly("contextLength", "merges");
            int context = c.integer("contextLength", ClipBpeTokenizer.CONTEXT);
            return c.has("merges") ? ClipBpeTokenizer.fromMergesFile(c.requirePath("merges"), context)
                    : ClipBpeTokenizer.withContext(context);
        }
    }

    /**
     * The weights and config of a CLIP encoder's settings: {@code weights} (safetensors in OpenAI's or Hugging
     * Face's layout) and {@code config} (a config.json, ours or Hugging Face's, or {@code vit-b-32} / {@code rn50}).
     */
    static ClipWeights weights(ComponentConfig c) {
        c.allowOnly("weights", "config");
        String config = c.requireString("config");
        ClipConfig cfg = switch (config) {
            case "vit-b-32" -> ClipConfig.VIT_B_32;
            case "rn50" -> ClipConfig.RN50;
            default -> ClipConfig.read(c.requirePath("config"));
        };
        return ClipWeights.load(cfg, c.requirePath("weights"));
    }

    /** Settings: {@code weights}, {@code config}. */
    public static final class TextFactory implements ComponentFactory<dev.pictor.api.spi.Encoder<?>> {
        @Override
        public String description() {
            return "CLIP text tower: token states, end-of-text state, joint-space projection";
        }

        @Override
        public dev.pictor.api.spi.Encoder<?> create(ComponentConfig c) {
            ClipWeights w = weights(c);
            return new ClipTextEncoder(w.config(), w.tensors());
        }
    }

    /** Settings: {@code weights}, {@code config}. */
    public static final class ImageFactory implements ComponentFactory<dev.pictor.api.spi.Encoder<?>> {
        @Override
        public String description() {
            return "CLIP image tower (ViT or ModifiedResNet): token states, pooled state, joint-space projection";
        }

        @Override
        public dev.pictor.api.spi.Encoder<?> create(ComponentConfig c) {
            ClipWeights w = weights(c);
            return new ClipImageEncoder(w.config(), w.tensors());
        }
    }
}
