package dev.pictor.api.spi;

/**
 * What every pipeline component has: the name it is registered under. Components that hold native memory
 * (weights) release it in {@link #close()}; the pipeline that created a component closes it.
 *
 * <pre>{@code
 * for (Component c : loadedPipeline.components().values()) {
 *     System.out.println(c.name());   // "word", "one-hot", …
 * }
 * }</pre>
 */
public interface Component extends AutoCloseable {
    /** The registered name, e.g. {@code "word"} or {@code "ddim"}. */
    String name();

    /** Releases native memory this component holds. The default holds none. */
    @Override
    default void close() {
    }
}
