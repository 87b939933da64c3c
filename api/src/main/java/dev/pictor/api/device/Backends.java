package dev.pictor.api.device;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chooses and starts ND4J's backend for a {@link Device}, once per process, before the first tensor.
 *
 * <p>ND4J picks its backend from what is on the class path (the app ships the CPU backend; {@code mvn -Pcuda
 * package} swaps in CUDA 11.6). This class checks that the backend asked for is the one present and fails with
 * a clear message naming the Maven profile when it is not, then applies the thread count. The javacpp setting
 * that cuts per-op overhead ({@code org.bytedeco.javacpp.maxphysicalbytes=0}) is set here too when nobody set it,
 * which only helps if it happens before javacpp loads: the {@code pictor} launcher and the build also pass it.
 *
 * <pre>{@code
 * Backends.activate(Device.cpu(2));
 * INDArray x = Nd4j.ones(2, 2);   // runs on the CPU backend with 2 threads
 * }</pre>
 */
public final class Backends {
    /** ND4J's CPU backend class. */
    public static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";
    /** ND4J's CUDA backend class (nd4j-cuda-11.6). */
    public static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";

    private static Device active;

    private Backends() {
    }

    /** The backends whose classes are on the class path. */
    public static Set<Device.Kind> available() {
        return available(Backends::classPresent);
    }

    static Set<Device.Kind> available(Predicate<String> classPresent) {
        Set<Device.Kind> kinds = EnumSet.noneOf(Device.Kind.class);
        if (classPresent.test(CPU_BACKEND)) {
            kinds.add(Device.Kind.CPU);
        }
        if (classPresent.test(CUDA_BACKEND)) {
            kinds.add(Device.Kind.CUDA);
        }
        return kinds;
    }

    /**
     * Checks that {@code device} can run with the backends present; throws the user-facing error otherwise: a
     * {@link BadInputException} (the CLI's exit 2) when the user chose a device this build lacks. Pure logic, so it
     * is tested without either backend loaded.
     */
    static void check(Device device, Set<Device.Kind> present) {
        if (present.contains(device.kind())) {
            return;
        }
        if (device.kind() == Device.Kind.CUDA) {
            throw new BadInputException("device " + device + " asked for, but this build has no CUDA backend: rebuild"
                    + " with `mvn -B -Pcuda -DskipTests package` (needs CUDA 11.6 and cuDNN 8.3) or use --device cpu");
        }
        if (present.contains(Device.Kind.CUDA)) {
            throw new BadInputException("device cpu asked for, but this build has only the CUDA backend: use --device"
                    + " cuda, or rebuild without -Pcuda (`mvn -B -DskipTests package`)");
        }
        throw new PictorException("no ND4J backend on the class path: add dev.pictor:pictor-cpu-natives (type pom)"
                + " or build the app with `mvn -B -DskipTests package`");
    }

    /**
     * Checks, without starting anything, that this build can run {@code device}; throws the error that names the
     * fix (the Maven profile) when it cannot. Call it when the device is chosen, so a wrong choice fails at once.
     */
    public static void require(Device device) {
        check(device, available());
    }

    /**
     * Starts the backend for {@code device}. Calling it again with an equal device is a no-op; another device
     * after the first is an error, since ND4J cannot switch backends within a process.
     */
    public static synchronized void activate(Device device) {
        check(device, available());
        if (active != null) {
            if (active.kind() != device.kind() || active.index() != device.index()) {
                throw new PictorException("device " + device + " asked for after " + active + " was started: choose"
                        + " the device once, before the first pipeline runs");
            }
            applyThreads(device);
            active = device;
            return;
        }
        if (System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", "0");
        }
        if (device.kind() == Device.Kind.CPU) {
            CpuNatives.select(); // before ND4J loads: the AVX-512 build would die with SIGILL on an AVX2 CPU
        }
        String backend = Nd4j.getBackend().getClass().getName();
        String expected = device.kind() == Device.Kind.CUDA ? CUDA_BACKEND : CPU_BACKEND;
        if (!backend.equals(expected)) {
            throw new PictorException("ND4J started backend " + backend + " but device " + device + " needs "
                    + expected + ": keep only one backend on the class path");
        }
        if (device.kind() == Device.Kind.CUDA) {
            setCudaDevice(device.index());
        }
        applyThreads(device);
        active = device;
    }

    /** The device started by {@link #activate}, or null. */
    public static synchronized Device active() {
        return active;
    }

    private static void applyThreads(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            int n = device.effectiveThreads();
            Nd4j.getEnvironment().setMaxThreads(n);
            Nd4j.getEnvironment().setMaxMasterThreads(n);
            cpuThreads = n;
            setOpenMpThreads(n);
        } else {
            cpuThreads = 0;
        }
    }

    private static volatile int cpuThreads;

    /**
     * The compute threads of the active CPU device, or 0 when none is active (then libraries use every core).
     * Kernels that run on OpenMP outside ND4J's own pool (oneDNN) apply it per calling thread.
     */
    public static int cpuThreads() {
        return cpuThreads;
    }

    /**
     * Sets OpenMP's thread count for the calling thread (OpenMP keeps it per thread) through libnd4j. The oneDNN
     * kernels follow it because they run on the same OpenMP runtime: javacpp loads libnd4j's libgomp first and the
     * dynamic loader binds oneDNN's to it (one libgomp in the process, checked on linux-x86_64; a second copy
     * would ignore this setting). Reflection: the class is in the backend's jars, not the API's.
     * Returns false where the backend has no such call.
     */
    public static boolean setOpenMpThreads(int n) {
        try {
            Class<?> holder = Class.forName("org.nd4j.nativeblas.NativeOpsHolder");
            Object instance = holder.getMethod("getInstance").invoke(null);
            Object ops = holder.getMethod("getDeviceNativeOps").invoke(instance);
            ops.getClass().getMethod("setOmpNumThreads", int.class).invoke(ops, n);
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    private static void setCudaDevice(int index) {
        // Through reflection: the CUDA backend's classes exist only in a -Pcuda build.
        try {
            Class<?> manager = Class.forName("org.nd4j.jita.conf.CudaEnvironment");
            Object env = manager.getMethod("getInstance").invoke(null);
            Object conf = env.getClass().getMethod("getConfiguration").invoke(env);
            conf.getClass().getMethod("allowMultiGPU", boolean.class).invoke(conf, index > 0);
            Class<?> affinity = Class.forName("org.nd4j.linalg.factory.Nd4j");
            Object manager2 = affinity.getMethod("getAffinityManager").invoke(null);
            manager2.getClass().getMethod("unsafeSetDevice", Integer.class).invoke(manager2, index);
        } catch (ReflectiveOperationException e) {
            throw new PictorException("cannot select CUDA device " + index + ": " + e + "; check the -Pcuda build",
                    e);
        }
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, Backends.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
