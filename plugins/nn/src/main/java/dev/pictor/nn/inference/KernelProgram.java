package dev.pictor.nn.inference;

import dev.pictor.nn.TimeProfile;
import dev.pictor.nn.onednn.Primitive;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A straight-line program for one input shape: oneDNN kernels bound once to buffers allocated once, with host
 * (Java) steps between them. An inference engine builds one per shape and runs it per call, so a call builds
 * nothing, allocates nothing and binds nothing — what makes small networks fast at batch 1, where per-call set-up
 * would cost as much as the arithmetic.
 *
 * <pre>{@code
 * try (KernelProgram p = new KernelProgram()) {
 *     INDArray a = p.buffer(rows * c), b = p.buffer(rows * c);
 *     p.kernel("fc1", Kernels.linear(...)).bind(Args.SRC, a).bind(Args.DST, b).bind(Args.WEIGHTS, w);
 *     p.host("norm", () -> norm.apply(b, null, 0, 0, b, n, hw));
 *     p.run(null);
 * }
 * }</pre>
 */
public final class KernelProgram implements AutoCloseable {
    private record Step(String name, Primitive kernel, Runnable host) {
    }

    private final List<Step> steps = new ArrayList<>();
    private final List<Primitive> kernels = new ArrayList<>();
    private long bytes;

    /** A float32 buffer of {@code elements} (uninitialised), owned by the program. */
    public INDArray buffer(long elements) {
        bytes += 4 * Math.max(1, elements);
        return Nd4j.createUninitialized(DataType.FLOAT, Math.max(1, elements));
    }

    /** Appends a kernel step (bind its slots on the returned primitive); the program closes it. */
    public Primitive kernel(String name, Primitive p) {
        kernels.add(p);
        steps.add(new Step(name, p, null));
        return p;
    }

    /** Appends a host step. */
    public void host(String name, Runnable r) {
        steps.add(new Step(name, null, r));
    }

    /** Runs every step in order; with a profile, each step's time is added under its name. */
    public void run(TimeProfile profile) {
        for (Step s : steps) {
            if (s.kernel() != null) {
                s.kernel().execute(profile, s.name());
            } else if (profile == null) {
                s.host().run();
            } else {
                long start = System.nanoTime();
                s.host().run();
                profile.add(s.name(), System.nanoTime() - start);
            }
        }
    }

    /** Steps in the program. */
    public int size() {
        return steps.size();
    }

    /** Bytes of the buffers it allocated. */
    public long bufferBytes() {
        return bytes;
    }

    @Override
    public void close() {
        kernels.forEach(Primitive::close);
        kernels.clear();
        steps.clear();
    }
}
