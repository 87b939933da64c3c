package dev.pictor.nn.onednn;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;
import static org.bytedeco.dnnl.global.dnnl.dnnl_version;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.nd4j.linalg.factory.Nd4j;

/**
 * oneDNN (Intel's deep-learning kernels, the library ND4J itself uses for matrix products) called directly through
 * its C API, for inference kernels that ND4J's op-at-a-time execution cannot give: a matrix product with its bias,
 * activation and residual sum fused into one call, attention products read straight from a fused QKV buffer
 * through strides, and primitives built once per shape instead of on every call. ND4J still owns every array;
 * oneDNN reads and writes them in place.
 *
 * <p>Why not ND4J's own ops: each of them rebuilds its oneDNN primitive per call (~50–280 µs for a small matrix
 * product), and the exact GELU runs as an unvectorised erf (3 ms per million elements); here a prebuilt product
 * of the same size costs 36 µs with the GELU fused in (BENCHMARKS.md).
 *
 * <pre>{@code
 * if (OneDnn.available()) {
 *     Primitive mm = Kernels.matmul(View.dense(16, 384), View.transposed(384, 1536), View.dense(1, 1536),
 *             View.dense(16, 1536), PostOps.none().gelu());
 *     mm.bind(Args.SRC, x).bind(Args.WEIGHTS, w).bind(Args.BIAS, b).bind(Args.DST, y).execute();
 * }
 * }</pre>
 */
public final class OneDnn {
    private static final Object LOCK = new Object();
    private static volatile dnnl_engine engine;
    private static volatile String unavailable;
    private static final ThreadLocal<dnnl_stream> STREAMS = ThreadLocal.withInitial(() -> {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, engine(), dnnl_stream_default_flags), "stream creation");
        return s;
    });

    private OneDnn() {
    }

    /**
     * Whether oneDNN's native library loads on this machine and ND4J computes on the CPU (oneDNN kernels read
     * and write host memory only). Callers fall back to the graph executor when it does not.
     */
    public static boolean available() {
        init();
        return unavailable == null && isCpuBackend();
    }

    /** Why {@link #available()} is false, or null. */
    public static String unavailableReason() {
        init();
        if (unavailable != null) {
            return unavailable;
        }
        return isCpuBackend() ? null : "ND4J's backend is not the CPU one (" + Nd4j.getBackend().getClass().getSimpleName()
                + "): oneDNN kernels need host memory";
    }

    private static boolean isCpuBackend() {
        return Nd4j.getBackend().getClass().getName().contains("Cpu");
    }

    private static void init() {
        if (engine != null || unavailable != null) {
            return;
        }
        synchronized (LOCK) {
            if (engine != null || unavailable != null) {
                return;
            }
            try {
                capIsa();
                dnnl_engine e = new dnnl_engine();
                check(dnnl_engine_create(e, dnnl_cpu, 0), "engine creation");
                engine = e;
            } catch (Throwable t) {
                unavailable = "oneDNN could not start (" + t.getClass().getSimpleName() + ": " + t.getMessage()
                        + "): is org.bytedeco:dnnl's native jar for this platform on the class path?";
            }
        }
    }

    /**
     * When a lower native build than the CPU's best was forced ({@code --isa avx2} on an AVX-512 machine), caps
     * this oneDNN's JIT at it too, so the process computes as that CPU would. Must run before the first primitive;
     * oneDNN ignores it afterwards. The environment variable {@code DNNL_MAX_CPU_ISA}, if set, already did.
     */
    private static void capIsa() {
        dev.pictor.api.device.Isa cap = dev.pictor.api.device.CpuNatives.select().oneDnnCap();
        if (cap == null || System.getenv(dev.pictor.api.device.CpuNatives.ONEDNN_CAP_ENV) != null) {
            return;
        }
        int isa = switch (cap) {
            case AVX2 -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx2;
            case GENERIC -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_sse41;
            case AVX512 -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_all;
        };
        check(org.bytedeco.dnnl.global.dnnl.dnnl_set_max_cpu_isa(isa), "setting the maximum CPU ISA");
    }

    static dnnl_engine engine() {
        init();
        if (unavailable != null) {
            throw new IllegalStateException(unavailable);
        }
        return engine;
    }

    /** Per thread: the OpenMP thread count last applied (OpenMP keeps it per calling thread). */
    private static final ThreadLocal<int[]> APPLIED = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Applies the active CPU device's thread count ({@code --threads}, {@code device cpu(n)}) to the calling
     * thread's OpenMP settings, which oneDNN's kernels follow; a no-op once applied, or with no device chosen.
     */
    static void applyThreads() {
        int want = dev.pictor.api.device.Backends.cpuThreads();
        int[] applied = APPLIED.get();
        if (want > 0 && applied[0] != want) {
            dev.pictor.api.device.Backends.setOpenMpThreads(want);
            applied[0] = want;
        }
    }

    /**
     * This thread's stream: oneDNN streams are not shared between threads. A stream is a small native object kept
     * for the thread's life (CPU streams hold no buffers).
     */
    static dnnl_stream stream() {
        return STREAMS.get();
    }

    /**
     * Whether oneDNN's kernels here use AVX-512 (avx512_core or later, after any cap): engines pick layouts by it,
     * since oneDNN's fastest kernels differ between AVX-512 and AVX2.
     */
    public static boolean hasAvx512() {
        int avx512Core = org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core;
        return available() && (dnnl_get_effective_cpu_isa() & avx512Core) == avx512Core;
    }

    /** oneDNN's version and the instruction set its kernels use here, for logs and benchmark reports. */
    public static String describe() {
        if (!available()) {
            return "oneDNN unavailable: " + unavailableReason();
        }
        dnnl_version_t v = dnnl_version();
        return "oneDNN " + v.major() + "." + v.minor() + "." + v.patch() + " (cpu isa " + isaName(dnnl_get_effective_cpu_isa()) + ")";
    }

    private static String isaName(int isa) {
        return switch (isa) {
            case 0x1 -> "sse41";
            case 0x3 -> "avx";
            case 0x7 -> "avx2";
            case 0x27 -> "avx512_core";
            case 0x67 -> "avx512_core_vnni";
            case 0xe7 -> "avx512_core_bf16";
            case 0x3e7 -> "avx512_core_amx";   // Sapphire Rapids: float32 kernels are avx512_core's
            case 0x407 -> "avx2_vnni";
            default -> "0x" + Integer.toHexString(isa);
        };
    }

    /** Throws with oneDNN's status name when a call did not succeed. */
    static void check(int status, String what) {
        if (status != dnnl_success) {
            String name = switch (status) {
                case 1 -> "out of memory";
                case 2 -> "invalid arguments";
                case 3 -> "unimplemented for these shapes or attributes";
                case 5 -> "runtime error";
                default -> "status " + status;
            };
            String message = "oneDNN " + what + " failed: " + name;
            throw status == 3 ? new Unimplemented(message) : new IllegalStateException(message);
        }
    }

    /** oneDNN has no kernel for these shapes, layouts or attributes (on this CPU): a caller may try another form. */
    public static final class Unimplemented extends IllegalStateException {
        Unimplemented(String message) {
            super(message);
        }
    }
}
