package dev.pictor.api.device;

import java.util.List;
import java.util.Locale;

/**
 * The instruction-set levels ND4J's CPU natives are built for, best first, each with the CPU flags its code
 * uses. The app bundles all three builds and runs the best one the CPU supports: the AVX-512 build dies with
 * SIGILL on a CPU without AVX-512 (every AMD before Zen 4, Intel client CPUs since Alder Lake), so the choice is
 * made from the CPU's flags before ND4J loads (see {@link CpuNatives}).
 */
public enum Isa {
    /** {@code linux-x86_64-onednn-avx512}: Skylake-SP and later Xeons, Zen 4 and later. */
    AVX512("avx512", "-onednn-avx512",
            List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", "f16c", "bmi2"), "ALL"),
    /** {@code linux-x86_64-onednn-avx2}: Haswell (2013) and later, every Zen. */
    AVX2("avx2", "-onednn-avx2", List.of("avx2", "fma", "f16c"), "AVX2"),
    /** {@code linux-x86_64-onednn}: any x86-64 CPU (oneDNN still picks SSE4.1/AVX kernels at run time). */
    GENERIC("generic", "-onednn", List.of(), "SSE41");

    private final String id;
    private final String extension;
    private final List<String> required;
    private final String oneDnnMaxIsa;

    Isa(String id, String extension, List<String> required, String oneDnnMaxIsa) {
        this.id = id;
        this.extension = extension;
        this.required = required;
        this.oneDnnMaxIsa = oneDnnMaxIsa;
    }

    /**
     * The value of oneDNN's {@code DNNL_MAX_CPU_ISA} that caps its JIT at this level ("AVX2", "SSE41"; "ALL" for
     * no cap), as the {@code pictor} launcher and {@code .ci/run} set it.
     */
    public String oneDnnMaxIsa() {
        return oneDnnMaxIsa;
    }

    /** The name used by {@code --isa} and {@code pictor.isa}: avx512, avx2 or generic. */
    public String id() {
        return id;
    }

    /** javacpp's platform extension of the ND4J build ("-onednn-avx2"). */
    public String extension() {
        return extension;
    }

    /** The Maven classifier of ND4J's native jar for this level on {@code platform} ("linux-x86_64-onednn-avx2"). */
    public String classifier(String platform) {
        return platform + extension;
    }

    /** The CPU flags this build's code uses. */
    public List<String> required() {
        return required;
    }

    /** The required flags {@code cpu} lacks; empty when it can run this build. */
    public List<String> missing(CpuInfo cpu) {
        return required.stream().filter(f -> !cpu.has(f)).toList();
    }

    /** The best level {@code cpu} can run. */
    public static Isa best(CpuInfo cpu) {
        for (Isa isa : values()) {
            if (isa.missing(cpu).isEmpty()) {
                return isa;
            }
        }
        return GENERIC;
    }

    /** The level with this {@link #id} (case-insensitive), or null. */
    public static Isa byId(String id) {
        for (Isa isa : values()) {
            if (isa.id.equals(id.strip().toLowerCase(Locale.ROOT))) {
                return isa;
            }
        }
        return null;
    }

    /** The level whose {@link #extension} is {@code extension}, or null. */
    public static Isa byExtension(String extension) {
        for (Isa isa : values()) {
            if (isa.extension.equals(extension.strip())) {
                return isa;
            }
        }
        return null;
    }
}
