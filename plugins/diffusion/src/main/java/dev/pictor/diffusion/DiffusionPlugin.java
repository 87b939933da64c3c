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
                sampler("ddpm", Ddpm.class);
                sampler("ddim", Ddim.class);
                sampler("euler", Euler.class);
                sampler("euler-ancestral", EulerAncestral.class);
                sampler("heun", Heun.class);
                sampler("dpm-solver++", DpmSolverPlusPlus.class);
            }
        };
    }

    /** The settings every sampler reads, checked once. */
    abstract static class Factory implements ComponentFactory<Sampler> {
        private static final List<String> COMMON = List.of("spacing", "offset", "karras", "rho");

        @Override
        public final Sampler create(ComponentConfig c) {
            List<String> known = new ArrayList<>(COMMON);
            known.addAll(Arrays.asList(extraSettings()));
            c.allowOnly(known.toArray(String[]::new));
            ScheduledSampler.Settings s = new ScheduledSampler.Settings(
                    TimestepSpacing.parse(c.string("spacing", TimestepSpacing.TRAILING.id())), c.integer("offset", 0),
                    c.bool("karras", false), c.real("rho", 7));
            if (!(s.rho() > 0)) {
                throw new dev.pictor.api.BadInputException(c.where() + ": rho must be positive, got " + s.rho());
            }
            return make(s, c);
        }

        String[] extraSettings() {
            return new String[0];
        }

        abstract Sampler make(ScheduledSampler.Settings settings, ComponentConfig c);
    }

    public static final class Ddpm extends Factory {
        @Override
        public String description() {
            return "DDPM ancestral sampling from the posterior (stochastic; many steps)";
        }

        @Override
        Sampler make(ScheduledSampler.Settings s, ComponentConfig c) {
            return new DdpmSampler(s);
        }
    }

    public static final class Ddim extends Factory {
        @Override
        public String description() {
            return "DDIM; eta 0 (default) is deterministic, eta 1 has DDPM's variance";
        }

        @Override
        String[] extraSettings() {
            return new String[] {"eta"};
        }

        @Override
        Sampler make(ScheduledSampler.Settings s, ComponentConfig c) {
            return new DdimSampler(s, c.real("eta", 0));
        }
    }

    public static final class Euler extends Factory {
        @Override
        public String description() {
            return "Euler on the probability-flow ODE (deterministic)";
        }

        @Override
        Sampler make(ScheduledSampler.Settings s, ComponentConfig c) {
            return new EulerSampler(s);
        }
    }

    public static final class EulerAncestral extends Factory {
        @Override
        public String description() {
            return "Euler ancestral: Euler steps with fresh noise each step (stochastic)";
        }

        @Override
        Sampler make(ScheduledSampler.Settings s, ComponentConfig c) {
            return new EulerAncestralSampler(s);
        }
    }

    public static final class Heun extends Factory {
        @Override
        public String description() {
            return "Heun, second order (two network calls a step)";
        }

        @Override
        Sampler make(ScheduledSampler.Settings s, ComponentConfig c) {
            return new HeunSampler(s);
        }
    }

    public static final class DpmSolverPlusPlus extends Factory {
        @Override
        public String description() {
            return "DPM-Solver++ 2M, multistep second order: good images in 20 steps";
        }

        @Override
        Sampler make(ScheduledSampler.Settings s, ComponentConfig c) {
            return new DpmSolverPlusPlus2MSampler(s);
        }
    }
}
