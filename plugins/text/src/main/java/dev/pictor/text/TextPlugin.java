package dev.pictor.text;

import com.google.inject.Module;
import dev.pictor.api.BadInputException;
import dev.pictor.api.io.TextFiles;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * The built-in text plugin: tokenizer {@code word}, encoders {@code one-hot} and {@code bag-of-words}.
 *
 * <pre>{@code
 * // in a DSL script
 * def words = pipeline('encoding') {
 *     tokenizer 'word', corpus: 'captions.txt', minCount: 2
 *     encoder 'one-hot'
 * }
 * }</pre>
 */
public final class TextPlugin implements Plugin {

    @Override
    public String name() {
        return "text";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "word-level tokenizer, one-hot and bag-of-words encoders";
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
                tokenizer("word", WordTokenizerFactory.class);
                encoder("one-hot", OneHotFactory.class);
                encoder("bag-of-words", BagOfWordsFactory.class);
            }
        };
    }

    /**
     * Settings: {@code vocabulary} (a vocabulary file or {@code artifact:NAME}) or {@code corpus} (a UTF-8 text
     * file to build one from, with {@code minCount} default 1 and {@code maxSize} default 0 = no limit);
     * {@code lowercase} (true), {@code maxLength} (512), {@code padTo} (0 = longest row).
     */
    public static final class WordTokenizerFactory implements ComponentFactory<Tokenizer> {
        @Override
        public String description() {
            return "word-level tokenizer; vocabulary from a file or built from a corpus, [UNK] for the rest";
        }

        @Override
        public Tokenizer create(ComponentConfig c) {
            c.allowOnly("vocabulary", "corpus", "minCount", "maxSize", "lowercase", "maxLength", "padTo");
            boolean lowercase = c.bool("lowercase", true);
            if (c.has("vocabulary") == c.has("corpus")) {
                throw new BadInputException(c.where() + ": give exactly one of 'vocabulary' (a word list) or"
                        + " 'corpus' (a text file to build one from)");
            }
            Vocabulary vocabulary = c.has("vocabulary") ? Vocabulary.read(c.requirePath("vocabulary"))
                    : fromCorpus(c.requirePath("corpus"), lowercase, c.integer("minCount", 1), c.integer("maxSize", 0));
            return new WordTokenizer(vocabulary, lowercase, c.integer("maxLength", 512), c.integer("padTo", 0));
        }

        private static Vocabulary fromCorpus(Path corpus, boolean lowercase, int minCount, int maxSize) {
            // TextFiles names the line of any bytes that are not UTF-8
            List<List<String>> texts = TextFiles.readLines(corpus, "corpus", "").stream()
                    .map(l -> WordTokenizer.split(l, lowercase)).toList();
            return Vocabulary.build(texts, minCount, maxSize);
        }
    }

    /** Settings: {@code maxElements} (default 2^28, i.e. 1 GiB of floats). */
    public static final class OneHotFactory implements ComponentFactory<Encoder<?>> {
        @Override
        public String description() {
            return "one-hot vectors per token: [batch, length, vocabulary]";
        }

        @Override
        public Encoder<?> create(ComponentConfig c) {
            c.allowOnly("maxElements");
            int max = c.integer("maxElements", 1 << 28);
            if (max < 1) {
                throw new BadInputException(c.where() + ": maxElements must be positive");
            }
            return new OneHotEncoder(max);
        }
    }

    /**
     * Settings: {@code weighting} ({@code count} or {@code binary}), {@code normalize} (false), {@code maxElements}
     * (default 2^28).
     */
    public static final class BagOfWordsFactory implements ComponentFactory<Encoder<?>> {
        @Override
        public String description() {
            return "bag-of-words counts per text: [batch, vocabulary], optionally L2-normalised";
        }

        @Override
        public Encoder<?> create(ComponentConfig c) {
            c.allowOnly("weighting", "normalize", "maxElements");
            String weighting = c.choice("weighting", "count", List.of("count", "binary"));
            int max = c.integer("maxElements", 1 << 28);
            if (max < 1) {
                throw new BadInputException(c.where() + ": maxElements must be positive");
            }
            return new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.parse(weighting), c.bool("normalize", false), max);
        }
    }
}
