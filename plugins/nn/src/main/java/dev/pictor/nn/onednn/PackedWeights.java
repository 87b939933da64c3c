package dev.pictor.nn.onednn;

import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A Linear layer's weight copied once into the blocked layout oneDNN's matrix-product kernels read fastest. On
 * AVX-512 CPUs oneDNN 2.5 picks the same layout for every number of rows, so one copy serves every batch shape;
 * should a kernel ask for another layout (another CPU, other shapes), the weight is repacked into it once and both
 * are kept.
 *
 * <pre>{@code
 * PackedWeights w = PackedWeights.of(linearWeight);          // PyTorch [out, in]
 * Primitive fc = Kernels.linear(View.dense(16, w.in()), w, View.dense(1, w.out()), View.dense(16, w.out()),
 *         PostOps.none());
 * fc.bind(Args.WEIGHTS, w);
 * }</pre>
 */
public final class PackedWeights {
    private final long in;
    private final long out;
    /** {@code [O, I, kH, kW]} for convolution weights, else null. */
    private long[] convolution;
    private final List<dnnl_memory_desc_t> layouts = new ArrayList<>();
    private final List<INDArray> copies = new ArrayList<>();
    /** Reorders from the plain copy into each other layout, kept for {@link #refresh} (built on its first call). */
    private final List<Primitive> repacks = new ArrayList<>();

    private PackedWeights(long in, long out) {
        this.in = in;
        this.out = out;
    }

    /** Packs a PyTorch {@code [out, in]} weight (a snapshot: later changes to it are not seen). */
    public static PackedWeights of(INDArray torchWeight) {
        if (torchWeight.rank() != 2) {
            throw new IllegalArgumentException("a Linear weight is [out, in], got rank " + torchWeight.rank());
        }
        INDArray w = Kernels.dense(torchWeight); // read once by the packing reorder: no copy needed
        PackedWeights p = new PackedWeights(w.size(1), w.size(0));
        p.add(preferredLayout(p.in, p.out), Kernels.desc(View.transposed(p.in, p.out)), w);
        return p;
    }

    /**
     * Packs a PyTorch convolution weight {@code [O, I, kH, kW]} (a snapshot): kept as given until a convolution
     * kernel asks for its own layout, then repacked once per layout.
     */
    public static PackedWeights ofConvolution(INDArray oihw) {
        if (oihw.rank() != 4) {
            throw new IllegalArgumentException("a convolution weight is [out, in, kH, kW], got rank " + oihw.rank());
        }
        INDArray w = oihw.castTo(DataType.FLOAT).dup('c');
        long[] dims = w.shape();
        PackedWeights p = new PackedWeights(dims[1] * dims[2] * dims[3], dims[0]);
        p.convolution = dims.clone();
        dnnl_memory_desc_t plain = Kernels.desc(View.dense(dims));
        p.layouts.add(plain);
        p.copies.add(w);
        return p;
    }

    /**
     * Takes new values of a convolution weight {@code [O, I, kH, kW]} (a training step's), repacking them into every
     * layout held: kernels bound to this object then read them, with no new buffers.
     */
    public synchronized void refresh(INDArray oihw) {
        if (convolution == null || !java.util.Arrays.equals(oihw.shape(), convolution)) {
            throw new IllegalArgumentException("refresh takes a convolution weight " + java.util.Arrays.toString(
                    convolution) + ", got " + java.util.Arrays.toString(oihw.shape()));
        }
        INDArray plain = copies.get(0);
        Kernels.copy(oihw.dataType() == DataType.FLOAT ? Kernels.dense(oihw) : Kernels.dense(oihw.castTo(
                DataType.FLOAT)), 0, plain, 0, plain.length());
        for (int i = 1; i < layouts.size(); i++) {
            while (repacks.size() < i) {
                repacks.add(null);
            }
            if (repacks.get(i - 1) == null) {
                repacks.set(i - 1, Kernels.reorder(layouts.get(0), layouts.get(i), "repack"));
            }
            repacks.get(i - 1).bindRaw(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM, plain)
                    .bindRaw(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO, copies.get(i)).execute();
        }
    }

    /** {@code [O, I, kH, kW]} of a convolution weight, or null for a Linear weight. */
    long[] convolutionDims() {
        return convolution == null ? null : convolution.clone();
    }

    /** Keeps the weight in a layout given by the caller (tests: forces a repack on first use). */
    static PackedWeights inLayout(INDArray torchWeight, View layout) {
        INDArray w = torchWeight.castTo(DataType.FLOAT).dup('c');
        PackedWeights p = new PackedWeights(w.size(1), w.size(0));
        p.add(Kernels.desc(layout), Kernels.desc(View.transposed(p.in, p.out)), w);
        return p;
    }

    /** The layout a one-row product picks for an {@code [in, out]} weight. */
    private static dnnl_memory_desc_t preferredLayout(long in, long out) {
        dnnl_matmul_desc_t op = new dnnl_matmul_desc_t();
        OneDnn.check(dnnl_matmul_desc_init(op, Kernels.desc(View.dense(1, in)), Kernels.anyLayout(in, out), null,
                Kernels.desc(View.dense(1, out))), "weight layout probe");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        OneDnn.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(op), null, OneDnn.engine(), null),
                "weight layout probe");
        try {
            dnnl_memory_desc_t chosen = new dnnl_memory_desc_t();
            chosen.put(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
            return chosen;
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    private INDArray add(dnnl_memory_desc_t layout, dnnl_memory_desc_t fromLayout, INDArray from) {
        INDArray copy = Nd4j.createUninitialized(DataType.FLOAT, dnnl_memory_desc_get_size(layout) / 4);
        Kernels.reorder(fromLayout, from, layout, copy);
        layouts.add(layout);
        copies.add(copy);
        return copy;
    }

    public long in() {
        return in;
    }

    public long out() {
        return out;
    }

    /** How many layouts are held (1 unless some kernel wanted another). */
    public int layouts() {
        return layouts.size();
    }

    /** The weight in {@code layout}, repacked from the first copy if not yet held. */
    synchronized INDArray dataFor(dnnl_memory_desc_t layout) {
        for (int i = 0; i < layouts.size(); i++) {
            if (dnnl_memory_desc_equal(layouts.get(i), layout) == 1) {
                return copies.get(i);
            }
        }
        return add(layout, layouts.get(0), copies.get(0));
    }
}
