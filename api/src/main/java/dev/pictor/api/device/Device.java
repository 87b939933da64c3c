package dev.pictor.api.device;

import dev.pictor.api.BadInputException;
import java.util.Locale;

/**
 * Where tensors are computed: {@code cpu(threads)} or {@code cuda(index)}, and at what precision.
 * Chosen once, before the first tensor is made; see {@link Backends#activate(Device)}.
 *
 * <pre>{@code
 * Device d = Device.cpu(2);            // ND4J's CPU backend, 2 threads
 * Device g = Device.parse("cuda:0");   // needs the app built with -Pcuda
 * }</pre>
 *
 * @param kind      CPU or CUDA
 * @param index     GPU index (0 for CPU)
 * @param threads   compute threads; 0 means all cores
 * @param precision number format of weights and activations
 */
public record Device(Kind kind, int index, int threads, Precision precision) {

    /** The two backends. */
    public enum Kind {
        CPU, CUDA
    }

    /** Number format used to compute. */
    public enum Precision {
        FP32, BF16
    }

    public Device {
        if (index < 0) {
            throw new BadInputException("device index must be 0 or more, got " + index);
        }
        if (threads < 0) {
            throw new BadInputException("threads must be 0 (all cores) or more, got " + threads);
        }
        if (threads > maxThreads()) {
            throw new BadInputException(tooManyThreads("threads", threads) + ", or 0 for one per processor");
        }
        if (kind == Kind.CPU && index != 0) {
            throw new BadInputException("cpu has no index (got cpu:" + index + "); use cpu or cuda:" + index);
        }
    }

    /** How many compute threads per available processor a device may ask for at most. */
    public static final int THREADS_PER_PROCESSOR = 4;

    /**
     * The most compute threads a CPU device may have here: {@value #THREADS_PER_PROCESSOR} per available processor.
     * More never computes faster, and tens of thousands of native threads crash the JVM.
     */
    public static int maxThreads() {
        return THREADS_PER_PROCESSOR * Runtime.getRuntime().availableProcessors();
    }

    /**
     * The problem with asking for {@code threads} threads when that is more than {@link #maxThreads()}, named as
     * the user gave it ({@code what}: "threads", "--threads"): "--threads 9 is more than this machine can use: give
     * 1 to 8 (at most 4 per processor; it has 2)".
     */
    public static String tooManyThreads(String what, int threads) {
        return what + " " + threads + " is more than this machine can use: give 1 to " + maxThreads() + " (at most "
                + THREADS_PER_PROCESSOR + " per processor; it has " + Runtime.getRuntime().availableProcessors() + ")";
    }

    /** CPU with all cores. */
    public static Device cpu() {
        return new Device(Kind.CPU, 0, 0, Precision.FP32);
    }

    /** CPU with {@code threads} compute threads. */
    public static Device cpu(int threads) {
        return new Device(Kind.CPU, 0, threads, Precision.FP32);
    }

    /** The CUDA GPU at {@code index}. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index, 0, Precision.FP32);
    }

    /** Same device, other precision. */
    public Device withPrecision(Precision p) {
        return new Device(kind, index, threads, p);
    }

    /** Same device, other thread count. */
    public Device withThreads(int n) {
        return new Device(kind, index, n, precision);
    }

    /** The number of threads this device will actually use. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}, as the CLI's {@code --device}. */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return cpu();
        }
        if (t.equals("cuda") || t.equals("gpu")) {
            return cuda(0);
        }
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new BadInputException("unknown device '" + text + "': use cpu, cuda or cuda:N");
    }

    @Override
    public String toString() {
        String base = kind == Kind.CPU ? "cpu" : "cuda:" + index;
        return base + (threads > 0 ? " (" + threads + " threads)" : "")
                + (precision == Precision.FP32 ? "" : " " + precision.name().toLowerCase(Locale.ROOT));
    }
}
