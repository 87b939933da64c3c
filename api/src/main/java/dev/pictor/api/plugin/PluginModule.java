package dev.pictor.api.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.util.Types;
import dev.pictor.api.spi.Component;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.Denoiser;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Quantizer;
import dev.pictor.api.spi.Sampler;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.task.Task;
import java.lang.reflect.Type;

/**
 * The Guice module a plugin returns: binds component factories and task verbs by name with {@link MapBinder}s
 * (one map per component kind), so a third-party jar adds a sampler exactly as a built-in plugin does.
 *
 * <pre>{@code
 * new PluginModule() {
 *     protected void configureComponents() {
 *         tokenizer("word", WordTokenizerFactory.class);
 *         encoder("one-hot", OneHotEncoderFactory.class);
 *         task("count-tokens", CountTokensTask.class);
 *     }
 * };
 * }</pre>
 */
public abstract class PluginModule extends AbstractModule {

    /** Binds this plugin's components; called once by Guice. */
    protected abstract void configureComponents();

    @Override
    protected final void configure() {
        configureComponents();
    }

    protected final void tokenizer(String name, Class<? extends ComponentFactory<Tokenizer>> factory) {
        component(ComponentKind.TOKENIZER, name, factory);
    }

    protected final void encoder(String name, Class<? extends ComponentFactory<Encoder<?>>> factory) {
        component(ComponentKind.ENCODER, name, factory);
    }

    protected final void quantizer(String name, Class<? extends ComponentFactory<Quantizer>> factory) {
        component(ComponentKind.QUANTIZER, name, factory);
    }

    protected final void denoiser(String name, Class<? extends ComponentFactory<Denoiser>> factory) {
        component(ComponentKind.DENOISER, name, factory);
    }

    protected final void sampler(String name, Class<? extends ComponentFactory<Sampler>> factory) {
        component(ComponentKind.SAMPLER, name, factory);
    }

    /**
     * Binds a sampler factory instance: for families of samplers that differ only in settings, one factory class
     * with a constructor argument instead of a class each.
     */
    protected final void sampler(String name, ComponentFactory<Sampler> factory) {
        mapBinder(ComponentKind.SAMPLER).addBinding(name).toInstance(factory);
    }

    /** Binds a task verb (used from the DSL as {@code name} or its camelCase form). */
    protected final void task(String name, Class<? extends Task> task) {
        MapBinder.newMapBinder(binder(), String.class, Task.class).addBinding(name).to(task);
    }

    /** Binds a factory of any kind. */
    protected final <T extends Component> void component(ComponentKind<T> kind, String name,
            Class<? extends ComponentFactory<T>> factory) {
        mapBinder(kind).addBinding(name).to(factory);
    }

    private <T extends Component> MapBinder<String, ComponentFactory<T>> mapBinder(ComponentKind<T> kind) {
        return MapBinder.newMapBinder(binder(), TypeLiteral.get(String.class), factoryType(kind));
    }

    /** {@code ComponentFactory<T>} for a kind, as a Guice type. */
    @SuppressWarnings("unchecked")
    static <T extends Component> TypeLiteral<ComponentFactory<T>> factoryType(ComponentKind<T> kind) {
        Type arg = kind == ComponentKind.ENCODER ? Types.newParameterizedType(Encoder.class, Types.subtypeOf(Object.class))
                : kind.type();
        return (TypeLiteral<ComponentFactory<T>>) TypeLiteral.get(Types.newParameterizedType(ComponentFactory.class,
                arg));
    }
}
