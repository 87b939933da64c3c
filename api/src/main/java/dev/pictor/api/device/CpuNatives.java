package dev.pictor.api.device;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses which of ND4J's CPU native builds this process loads — AVX-512, AVX2 or generic, see {@link Isa} — from
 * the CPU's flags, before ND4J loads, by setting javacpp's {@code org.bytedeco.javacpp.platform.extension}.
 *
 * <p>It runs by itself: the {@code pictor} command calls it first thing, {@link Backends#activate} calls it, and
 * for code that touches {@code Nd4j} before anything of Pictor, {@link SelectingBackend} (a service ND4J's own
 * backend discovery asks before its CPU backend) calls it. Nothing to do for a library user but to have
 * {@code pictor-api} and the native jars on the class path.
 *
 * <p>Override it for testing with the system property {@code pictor.isa} (or the variable {@code PICTOR_ISA}, or
 * the CLI's {@code --isa}): {@code auto} (default), {@code avx512}, {@code avx2} or {@code generic}. A level the CPU
 * cannot run is refused with one line naming the CPU and the flags it lacks — never a SIGILL. Setting javacpp's
 * platform extension yourself is respected and checked the same way. Forcing a lower level than the CPU's best
 * also caps the oneDNN JIT of Pictor's own kernels at it ({@link Choice#oneDnnCap}); ND4J's bundled oneDNN reads
 * only the environment variable {@code DNNL_MAX_CPU_ISA}, which the {@code pictor} launcher and {@code .ci/run}
 * set, so an AVX-512 machine runs what an AVX2 machine runs.
 *
 * <pre>{@code
 * CpuNatives.Choice c = CpuNatives.select();    // before the first Nd4j call; idempotent
 * System.out.println(c.classifier());           // linux-x86_64-onednn-avx2 on a Zen 3
 * }</pre>
 */
public final class CpuNatives {
    /** The system property that overrides the choice. */
    public static final String PROPERTY = "pictor.isa";
    /** The environment variable that overrides the choice when the property is not set. */
    public static final String ENV = "PICTOR_ISA";
    /** javacpp's property naming the native build to load. */
    public static final String JAVACPP_EXTENSION = "org.bytedeco.javacpp.platform.extension";
    /** The environment variable ND4J's bundled oneDNN reads to cap its JIT. */
    public static final String ONEDNN_CAP_ENV = "DNNL_MAX_CPU_ISA";

    private static final Logger LOG = LoggerFactory.getLogger(CpuNatives.class);
    private static final String BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/";

    private static Choice chosen;

    private CpuNatives() {
    }

    /**
     * The outcome.
     *
     * @param isa      the build chosen, or null where the class path has no ND4J CPU natives (a CUDA build)
     * @param cpu      this machine's CPU
     * @param forced   whether {@code pictor.isa} or javacpp's property chose it rather than the CPU's flags
     * @param bundled  the builds present on the class path, best first
     * @param reason   one line saying why
     */
    public record Choice(Isa isa, CpuInfo cpu, boolean forced, List<Isa> bundled, String reason) {
        public Choice {
            bundled = List.copyOf(bundled);
        }

        /** javacpp's platform name ("linux-x86_64"). */
        public String platform() {
            return cpu.platform();
        }

        /** The Maven classifier of the ND4J native jar loaded ("linux-x86_64-onednn-avx2"), or "none". */
        public String classifier() {
            return isa == null ? "none" : isa.classifier(cpu.platform());
        }

        /**
         * The level Pictor's own oneDNN kernels must be capped at, or null for no cap: set when a lower build than
         * the CPU's best was forced, so both oneDNN copies in the process run the same instruction set.
         */
        public Isa oneDnnCap() {
            return isa != null && forced && isa.ordinal() > Isa.best(cpu).ordinal() ? isa : null;
        }
    }

    /**
     * Chooses and applies the native build, once per process (later calls return the first choice). Throws
     * {@link BadInputException} for an override the CPU cannot run or that names no level, and
     * {@link PictorException} when no bundled build runs on this CPU or platform.
     */
    public static synchronized Choice select() {
        if (chosen != null) {
            return chosen;
        }
        CpuInfo cpu = CpuInfo.current();
        String requested = System.getProperty(PROPERTY);
        if (requested == null || requested.isBlank()) {
            requested = System.getenv(ENV);
        }
        ClassLoader loader = CpuNatives.class.getClassLoader();
        Choice c = decide(cpu, requested, System.getProperty(JAVACPP_EXTENSION),
                isa -> loader.getResource(BINDINGS + isa.classifier(cpu.platform()) + "/libjnind4jcpu.so") != null,
                anyBindings(loader));
        if (c.isa() != null) {
            System.setProperty(JAVACPP_EXTENSION, c.isa().extension());
        }
        if (c.oneDnnCap() != null && System.getenv(ONEDNN_CAP_ENV) == null) {
            LOG.warn("{} natives forced on a CPU that runs {}: ND4J's own oneDNN still uses the CPU's best"
                    + " instructions unless the environment sets {}={} (the pictor launcher does)", c.isa().id(),
                    Isa.best(cpu).id(), ONEDNN_CAP_ENV, c.isa().oneDnnMaxIsa());
        }
        LOG.debug("CPU natives: {} ({})", c.classifier(), c.reason());
        chosen = c;
        return c;
    }

    /** The choice made, or null before {@link #select}. */
    public static synchronized Choice chosen() {
        return chosen;
    }

    /**
     * The decision, without side effects.
     *
     * @param requested     the override ({@code auto}, a level's id, or null)
     * @param javacppExt    javacpp's platform extension if somebody set it, else null
     * @param bundled       whether a build's native jar is on the class path
     * @param anyCpuNatives whether any ND4J CPU natives are on the class path at all
     */
    static Choice decide(CpuInfo cpu, String requested, String javacppExt, Predicate<Isa> bundled,
            boolean anyCpuNatives) {
        List<Isa> present = new ArrayList<>();
        for (Isa isa : Isa.values()) {
            if (bundled.test(isa)) {
                present.add(isa);
            }
        }
        if (present.isEmpty()) {
            // A CUDA build, or an ND4J build Pictor does not know (benchmarks/variants.sh compares those): javacpp
            // loads whatever is there, as it would without Pictor.
            return new Choice(null, cpu, false, present, anyCpuNatives
                    ? "no oneDNN build Pictor knows on the class path; javacpp chooses"
                    : "no ND4J CPU natives on the class path");
        }
        if (!cpu.isLinuxX86_64()) {
            throw new PictorException("this machine is " + cpu.platform() + " (" + cpu.model() + "): Pictor's CPU"
                    + " natives are built for linux-x86_64 only; run it on an x86-64 Linux machine");
        }
        String req = requested == null || requested.isBlank() ? "auto" : requested.strip();
        Isa forced = null;
        String by = null;
        if (!req.equalsIgnoreCase("auto")) {
            forced = Isa.byId(req);
            by = "--isa " + req;
            if (forced == null) {
                throw new BadInputException("unknown instruction set '" + req + "' for --isa (" + PROPERTY
                        + "): use auto, avx512, avx2 or generic");
            }
        } else if (javacppExt != null && !javacppExt.isBlank()) {
            forced = Isa.byExtension(javacppExt);
            by = JAVACPP_EXTENSION + "=" + javacppExt;
            if (forced == null) {
                throw new BadInputException(by + " names no ND4J CPU build: use -onednn-avx512, -onednn-avx2 or"
                        + " -onednn, or leave it unset to choose from the CPU");
            }
        }
        Isa best = Isa.best(cpu);
        if (forced != null) {
            List<String> missing = forced.missing(cpu);
            if (!missing.isEmpty()) {
                throw new BadInputException(by + " asked for, but this CPU (" + cpu.model() + ") lacks "
                        + String.join(", ", missing) + ": use --isa auto (" + best.id() + " here)");
            }
            if (!present.contains(forced)) {
                throw new PictorException(by + " asked for, but ND4J's " + forced.classifier(cpu.platform())
                        + " natives are not on the class path: " + addHint(forced, cpu));
            }
            return new Choice(forced, cpu, true, present, "forced by " + by);
        }
        for (Isa isa : Isa.values()) {
            if (isa.ordinal() >= best.ordinal() && present.contains(isa)) {
                return new Choice(isa, cpu, false, present, "auto: " + autoReason(isa, best, cpu));
            }
        }
        // present is not empty here (see above): its lowest build is the one this CPU came closest to running.
        throw new PictorException("no ND4J natives this CPU can run: " + cpu.model() + " lacks "
                + String.join(", ", present.get(present.size() - 1).missing(cpu))
                + " and the class path has only " + present.stream().map(i -> i.classifier(cpu.platform())).toList()
                + ": " + addHint(best, cpu));
    }

    /** Why {@code isa} was chosen when the CPU's best build is {@code best}. */
    private static String autoReason(Isa isa, Isa best, CpuInfo cpu) {
        if (isa != best) {
            return "the best build this CPU runs (" + best.id() + ") is not on the class path";
        }
        if (isa == Isa.GENERIC) {
            return "the CPU lacks " + String.join(", ", Isa.AVX2.missing(cpu));
        }
        // The flags that set the level apart; the rest (fma, f16c, bmi2 under AVX-512) go without saying.
        List<String> defining = isa == Isa.AVX512 ? isa.required().subList(0, 5) : isa.required();
        return "the CPU has " + String.join(", ", defining);
    }

    private static String addHint(Isa isa, CpuInfo cpu) {
        return "rebuild the app (`mvn -B -DskipTests package` bundles all three) or add"
                + " org.nd4j:nd4j-native:1.0.0-M2.1:" + isa.classifier(cpu.platform());
    }

    private static boolean anyBindings(ClassLoader loader) {
        try {
            return loader.getResources(BINDINGS).hasMoreElements();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
