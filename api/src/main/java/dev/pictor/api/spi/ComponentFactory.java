package dev.pictor.api.spi;

/**
 * Makes one named component from its settings. Plugins bind factories by name (see
 * {@link dev.pictor.api.plugin.PluginModule}); pipelines call {@link #create} with the settings the user gave.
 *
 * <p>Factories are stateless and thread-safe; they may receive injected services through their constructor.
 *
 * <pre>{@code
 * public final class WordTokenizerFactory implements ComponentFactory<Tokenizer> {
 *     public String description() { return "word-level tokenizer with [UNK]"; }
 *     public Tokenizer create(ComponentConfig config) {
 *         config.allowOnly("vocabulary", "lowercase");
 *         return new WordTokenizer(Vocabulary.read(config.requirePath("vocabulary")), config.bool("lowercase", true));
 *     }
 * }
 * }</pre>
 *
 * @param <T> the SPI type made
 */
public interface ComponentFactory<T extends Component> {

    /** One line for {@code pictor plugins}. */
    String description();

    /** Makes a component; bad settings are a {@code BadInputException} naming the setting. */
    T create(ComponentConfig config);
}
