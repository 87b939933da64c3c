package dev.pictor.api.task;

/**
 * A verb that plugins add to the DSL (and later to the CLI): {@code embed}, {@code generate}, … Bound by name in a
 * {@link dev.pictor.api.plugin.PluginModule}; a script calls it by that name or its camelCase form
 * ({@code count-tokens} as {@code countTokens}).
 *
 * <p>In a script, {@code countTokens words, text: 'a red circle'} calls {@link #run} with the named arguments
 * as {@code options} and the positional ones as {@code arguments}.
 *
 * <pre>{@code
 * public final class CountTokensTask implements Task {
 *     public String description() { return "number of tokens of a text"; }
 *     public Object run(TaskContext ctx, Map<String, Object> options, List<Object> arguments) {
 *         LoadedPipeline p = ctx.open(arguments.get(0));
 *         return p.tokenizer().encode((String) options.get("text")).length();
 *     }
 * }
 * }</pre>
 */
public interface Task {

    /** One line for {@code pictor plugins}. */
    String description();

    /** Runs the verb; bad arguments are a {@code BadInputException}. */
    Object run(TaskContext context, java.util.Map<String, Object> options, java.util.List<Object> arguments);
}
