package dev.pictor.api.testing;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.zoo.ZooDescriptors;
import dev.pictor.api.zoo.ZooEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A built-in plugin for the API's own tests (registered in the test class path's service file): a tokenizer
 * that numbers the lines of a file, a task, and one zoo entry.
 */
public final class EchoPlugin implements Plugin {
    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String version() {
        return "0.0.1";
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
                tokenizer("lines", LinesFactory.class);
                task("count-lines", CountTask.class);
            }
        };
    }

    @Override
    public List<ZooEntry> zooEntries() {
        return List.of(ZooDescriptors.read(getClass().getClassLoader(), "pictor/zoo/echo-test.json"));
    }

    /** Makes a {@link LinesTokenizer} from setting {@code words}: a file of one word per line. */
    public static final class LinesFactory implements ComponentFactory<Tokenizer> {
        @Override
        public String description() {
            return "ids are line numbers of a word list";
        }

        @Override
        public Tokenizer create(ComponentConfig config) {
            config.allowOnly("words");
            try {
                return new LinesTokenizer(Files.readAllLines(config.requirePath("words")));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Whitespace tokenizer whose ids are positions in a word list. */
    public record LinesTokenizer(List<String> words) implements Tokenizer {
        @Override
        public String name() {
            return "lines";
        }

        @Override
        public int vocabularySize() {
            return words.size();
        }

        @Override
        public int padId() {
            return 0;
        }

        @Override
        public Encoding encode(String text) {
            List<String> tokens = Arrays.asList(text.trim().split("\\s+"));
            int[] ids = tokens.stream().mapToInt(words::indexOf).toArray();
            int[] mask = new int[ids.length];
            Arrays.fill(mask, 1);
            return new Encoding(ids, tokens, mask, false);
        }

        @Override
        public TokenBatch encodeBatch(List<String> texts) {
            return TokenBatch.pad(texts.stream().map(this::encode).toList(), 0, 0, words.size());
        }

        @Override
        public String decode(int[] ids) {
            return String.join(" ", Arrays.stream(ids).mapToObj(words::get).toList());
        }

        @Override
        public String token(int id) {
            return words.get(id);
        }
    }

    /** Counts the lines of option {@code text}. */
    public static final class CountTask implements Task {
        @Override
        public String description() {
            return "counts lines";
        }

        @Override
        public List<String> options() {
            return List.of("text");
        }

        @Override
        public Object run(TaskContext context, dev.pictor.api.task.TaskOptions options, List<Object> arguments) {
            return options.string("text", "").lines().count();
        }
    }
}
