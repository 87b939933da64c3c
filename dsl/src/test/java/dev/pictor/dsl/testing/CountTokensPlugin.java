package dev.pictor.dsl.testing;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import java.util.List;
import java.util.Map;

/** A test plugin that adds a task verb, to check that scripts reach plugin tasks by name. */
public final class CountTokensPlugin implements Plugin {
    @Override
    public String name() {
        return "count-tokens-test";
    }

    @Override
    public String version() {
        return "0";
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
                task("count-tokens", CountTokens.class);
            }
        };
    }

    /** {@code countTokens pipeline, text: '…'}: the number of tokens. */
    public static final class CountTokens implements Task {
        @Override
        public String description() {
            return "number of tokens in a text";
        }

        @Override
        public List<String> options() {
            return List.of("text");
        }

        @Override
        public Object run(TaskContext context, dev.pictor.api.task.TaskOptions options, List<Object> arguments) {
            return context.open(arguments.get(0)).tokenizer().encode(options.requireString("text")).length();
        }
    }
}
