package dev.pictor.api.task;

import java.util.List;

/**
 * A verb that plugins add to the DSL: {@code pretrain-bert}, {@code count-tokens}, … Bound by name in a
 * {@link dev.pictor.api.plugin.PluginModule}; a script calls it by that name or its camelCase form
 * ({@code count-tokens} as {@code countTokens}).
 *
 * <p>In a script, {@code countTokens words, text: 'a red circle'} calls {@link #run} with the named arguments as
 * {@code options} — already checked against {@link #options()} by the one parser every task goes through
 * ({@link TaskOptions}: unknown names get "did you mean") — and the positional ones as {@code arguments}.
 *
 * <pre>{@code
 * public final class CountTokensTask implements Task {
 *     public String description() { return "number of tokens of a text"; }
 *     public List<String> options() { return List.of("text"); }
 *     public Object run(TaskContext ctx, TaskOptions options, List<Object> arguments) {
 *         LoadedPipeline p = ctx.open(arguments.get(0));
 *         return p.tokenizer().encode(options.requireString("text")).length();
 *     }
 * }
 * }</pre>
 */
public interface Task {

    /** One line for {@code pictor plugins}. */
    String description();

    /** The option names {@link #run} reads. */
    List<String> options();

    /** Runs the verb; bad arguments are a {@code BadInputException}. */
    Object run(TaskContext context, TaskOptions options, List<Object> arguments);

    /** Checks raw named options against {@link #options()} (as {@code verb}'s) and runs. */
    default Object call(String verb, TaskContext context, java.util.Map<String, ?> options, List<Object> arguments) {
        return run(context, TaskOptions.of(verb, options, options()), arguments);
    }
}
