package dev.pictor.nn.onednn;

import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;

import java.util.Arrays;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One oneDNN kernel compiled for fixed shapes, and its argument slots. Build once ({@link Kernels}), then per
 * call point each slot at an ND4J array ({@link #bind}) and {@link #execute()}: binding is a pointer swap, so
 * one primitive serves every layer of a model whose layers share shapes.
 *
 * <p>{@link #bind} checks the array's type and that the slot's view fits inside its buffer, so a wrong size
 * fails in Java rather than as a stray native write, and holds the array until the slot is bound again, so it
 * cannot be freed under the kernel. Not thread-safe: one primitive per thread. Close it to free the native
 * objects.
 *
 * <pre>{@code
 * try (Primitive ln = Kernels.layerNorm(View.dense(16, 384), 1e-12f)) {
 *     ln.bind(Args.SRC, x).bind(Args.DST, x).bind(Args.SCALE, gamma).bind(Args.SHIFT, beta).execute();
 * }
 * }</pre>
 */
public final class Primitive implements AutoCloseable {
    private final String what;
    private final dnnl_primitive primitive;
    private final int[] ids;
    private final View[] views;
    private final long[] extents;
    private final dnnl_memory[] memories;
    private final boolean[] bound;
    /** The arrays bound, held so that none is freed while the kernel still points at it. */
    private final INDArray[] held;
    /** The element offset each slot was last bound at, so rebinding the same array there costs nothing. */
    private final long[] heldOffset;
    private final dnnl_memory_desc_t[] packed;
    private final dnnl_exec_arg_t args;
    private final Kernels.Address address = new Kernels.Address();
    private boolean closed;

    /**
     * @param slots  strided slots
     * @param packed slots in a layout oneDNN chose ({@link PackedWeights}), with that layout
     */
    Primitive(String what, dnnl_primitive primitive, Map<Integer, View> slots, Map<Integer, dnnl_memory_desc_t> packed) {
        this.what = what;
        this.primitive = primitive;
        int n = slots.size() + packed.size();
        ids = new int[n];
        views = new View[n];
        extents = new long[n];
        this.packed = new dnnl_memory_desc_t[n];
        memories = new dnnl_memory[n];
        bound = new boolean[n];
        held = new INDArray[n];
        heldOffset = new long[n];
        args = new dnnl_exec_arg_t(n);
        int i = 0;
        try {
            for (Map.Entry<Integer, View> e : slots.entrySet()) {
                views[i] = e.getValue();
                extents[i] = e.getValue().extent();
                slot(i++, e.getKey(), Kernels.desc(e.getValue()));
            }
            for (Map.Entry<Integer, dnnl_memory_desc_t> e : packed.entrySet()) {
                this.packed[i] = e.getValue();
                extents[i] = dnnl_memory_desc_get_size(e.getValue()) / 4;
                slot(i++, e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        args.position(0);
    }

    private void slot(int i, int id, dnnl_memory_desc_t desc) {
        ids[i] = id;
        memories[i] = new dnnl_memory();
        OneDnn.check(dnnl_memory_create(memories[i], desc, OneDnn.engine(), null), what + " memory");
        args.position(i).arg(id).memory(memories[i]);
    }

    /** Points a packed slot at {@code weights} in the layout this kernel chose (repacked once if it differs). */
    public Primitive bind(int arg, PackedWeights weights) {
        int slot = slot(arg);
        if (packed[slot] == null) {
            throw new IllegalArgumentException(what + ": slot " + arg + " takes a strided array, not packed weights");
        }
        return bindAddress(slot, arg, weights.dataFor(packed[slot]), 0);
    }

    /** Points slot {@code arg} at the start of {@code array}'s buffer. */
    public Primitive bind(int arg, INDArray array) {
        return bind(arg, array, 0);
    }

    /** Points slot {@code arg} at element {@code offset} of {@code array}'s buffer (a head inside a fused tensor). */
    public Primitive bind(int arg, INDArray array, long offset) {
        int slot = slot(arg);
        if (packed[slot] != null) {
            throw new IllegalArgumentException(what + ": slot " + arg + " takes PackedWeights");
        }
        return bindAddress(slot, arg, array, offset);
    }

    private Primitive bindAddress(int slot, int arg, INDArray array, long offset) {
        if (bound[slot] && held[slot] == array && heldOffset[slot] == offset) {
            // Already checked and pointed at: a layer loop rebinds the same buffers every layer, and each check
            // and native call costs microseconds that add up at batch 1.
            return this;
        }
        if (array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(what + ": slot " + arg + " needs float32, got " + array.dataType());
        }
        if (!Kernels.isWhole(array)) {
            throw new IllegalArgumentException(what + ": slot " + arg + " needs a whole array, not a view: dup() it");
        }
        long length = array.data().length();
        if (offset < 0 || offset + extents[slot] > length) {
            throw new IllegalArgumentException(what + ": slot " + arg + " reads " + (views[slot] != null ? views[slot]
                    : "packed weights") + " from element "
                    + offset + " but the array holds " + length + " elements " + Arrays.toString(array.shape()));
        }
        address.at(array.data().addressPointer().address() + 4 * offset);
        OneDnn.check(dnnl_memory_set_data_handle(memories[slot], address), what + " bind");
        bound[slot] = true;
        held[slot] = array;
        heldOffset[slot] = offset;
        return this;
    }

    /** Elements of the buffer a packed slot (in a layout this kernel chose) needs. */
    public long packedElements(int arg) {
        int slot = slot(arg);
        if (packed[slot] == null) {
            throw new IllegalArgumentException(what + ": slot " + arg + " is strided, not packed");
        }
        return extents[slot];
    }

    /** Points a packed slot at a raw buffer of {@link #packedElements} (a gradient the kernel writes in its layout). */
    public Primitive bindPacked(int arg, INDArray buffer) {
        packedElements(arg);
        return bindAddress(slot(arg), arg, buffer, 0);
    }

    /** A reorder from this kernel's layout of packed slot {@code arg} into {@code to} (SRC: the packed buffer). */
    public Primitive unpack(int arg, View to) {
        packedElements(arg);
        return Kernels.reorder(packed[slot(arg)], to, what + ": unpack slot " + arg);
    }

    /** Binds any slot to an array without the strided/packed distinction (reorders). */
    Primitive bindRaw(int arg, INDArray array) {
        return bindAddress(slot(arg), arg, array, 0);
    }

    private int slot(int arg) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == arg) {
                return i;
            }
        }
        throw new IllegalArgumentException(what + " has no argument slot " + arg);
    }

    /** Runs the kernel on the bound arrays (synchronously, on the calling thread's stream). */
    public void execute() {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        for (int i = 0; i < bound.length; i++) {
            if (!bound[i]) {
                throw new IllegalStateException(what + ": argument slot " + ids[i] + " was never bound");
            }
        }
        OneDnn.applyThreads();
        OneDnn.check(dnnl_primitive_execute(primitive, OneDnn.stream(), ids.length, args), what);
    }

    /** {@link #execute()}, its time added to {@code profile} under {@code name} when profiling (non-null). */
    public void execute(dev.pictor.nn.TimeProfile profile, String name) {
        if (profile == null) {
            execute();
            return;
        }
        long start = System.nanoTime();
        execute();
        profile.add(name, System.nanoTime() - start);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (dnnl_memory m : memories) {
                if (m != null && !m.isNull()) {
                    dnnl_memory_destroy(m);
                }
            }
            java.util.Arrays.fill(held, null);
            dnnl_primitive_destroy(primitive);
        }
    }

    @Override
    public String toString() {
        return what;
    }
}
