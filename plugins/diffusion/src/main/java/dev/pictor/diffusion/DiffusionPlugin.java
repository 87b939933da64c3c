package dev.pictor.diffusion;

import com.google.inject.Module;
import dev.pictor.api.plugin.ApiVersion;
import dev.pictor.api.plugin.Plugin;
import dev.pictor.api.plugin.PluginModule;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentFactory;
import dev.pictor.api.spi.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The built-in diffusion samplers, shared by every diffusion model: {@code ddpm}, {@code ddim},
 * {@code euler}, {@code euler-ancestral}, {@code heun} and {@code dpm-solver++}. Each takes the settings
 * {@code spacing} (trailing, leading or linspace; default trailing), {@code offset} (leading only, default 0;
 * Stable Diffusion 1.x uses 1), {@code karras} (false) and {@code rho} (7); {@code ddim} also takes {@code eta}
 * (0).
 *
 * <pre>{@code
 * // in a DSL script
 * def t2i = pipeline('text-to-image') {
 *     …
 *     sampler 'dpm-solver++', karras: true
 * }
 * }</pre>
 */
public final class DiffusionPlugin implements Plugin {

    @Override
    public String name() {
        return "diffusion";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String description() {
        return "diffusion samplers: DDPM, DDIM, Euler, Euler ancestral, Heun, DPM-Solver++ 2M; Karras noise levels";
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
                for (Factory f : FACTORIES) {
                    sampler(f.name, f);
                }
            }
        };
    }

    /** The built-in samplers' factories, by name. */
    static final List<Factory> FACTORIES = List.of(
            new Factory("ddpm", "DDPM ancestral sampling from the posterior (stochastic; many steps)",
                    (s, c) -> new DdpmSampler(s)),
            new Factory("ddim", "DDIM; eta 0 (default) is deterministic, eta 1 has DDPM's variance",
                    (s, c) -> new DdimSampler(s, c.real("eta", 0)), "eta"),
            new Factory("euler", "Euler on the probability-flow ODE (deterministic)", (s, c) -> new EulerSampler(s)),
            new Factory("euler-ancestral", "Euler ancestral: Euler steps with fresh noise each step (stochastic)",
                    (s, c) -> new EulerAncestralSampler(s)),
            new Factory("heun", "Heun, second order (two network calls a step)", (s, c) -> new HeunSampler(s)),
            new Factory("dpm-solver++", "DPM-Solver++ 2M, multistep second order: good images in 20 steps",
                    (s, c) -> new DpmSolverPlusPlus2MSampler(s)));

    /** One sampler's factory: the settings every sampler reads, checked once, plus its own. */
    static final class Factory implements ComponentFactory<Sampler> {
        private static final List<String> COMMON = List.of("spacing", "offset", "karras", "rho");
        final String name;
        private final String description;
        private final java.util.function.BiFunction<ScheduledSampler.Settings, ComponentConfig, Sampler> make;
        private final List<String> known;

        Factory(String name, String description,
                java.util.function.BiFunction<ScheduledSampler.Settings, ComponentConfig, Sampler> make,
                String... extraSettings) {
            this.name = name;
            this.description = description;
            this.make = make;
            List<String> all = new ArrayList<>(COMMON);
            all.addAll(Arrays.asList(extraSettings));
            this.known = List.copyOf(all);
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public Sampler create(ComponentConfig c) {
            c.allowOnly(known.toArray(String[]::new));
            ScheduledSampler.Settings s = new ScheduledSampler.Settings(
                    TimestepSpacing.parse(c.string("spacing", TimestepSpacing.TRAILING.id())), c.integer("offset", 0),
                    c.bool("karras", false), c.real("rho", 7));
            if (!(s.rho() > 0)) {
                throw new dev.pictor.api.BadInputException(c.where() + ": rho must be positive, got " + s.rho());
            }
            return make.apply(s, c);
        }
    }
}
