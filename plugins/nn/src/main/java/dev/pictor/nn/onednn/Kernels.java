package dev.pictor.nn.onednn;

import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_add;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_layer_normalization_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_softmax_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_layer_normalization_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_binary;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_output_scales;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_softmax_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_layer_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_softmax_desc_t;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds oneDNN {@link Primitive}s for the kernels inference needs: matrix products (batched, strided, with
 * bias and fused post-ops), LayerNorm, softmax and broadcasting adds. Building costs ~0.5–3 ms (oneDNN picks and
 * JIT-compiles a kernel for the exact shapes): build per shape, not per call.
 *
 * <pre>{@code
 * Primitive fc1 = Kernels.matmul(View.dense(672, 384), View.transposed(384, 1536), View.dense(1, 1536),
 *         View.dense(672, 1536), PostOps.none().gelu());
 * }</pre>
 */
public final class Kernels {
    private Kernels() {
    }

    /**
     * {@code dst = post(src × weights + bias)}: ranks 2 to 4, leading dimensions batch (and may broadcast);
     * {@code bias} is {@code [1, …, N]} or null. Slots {@link Args#SRC}, {@link Args#WEIGHTS}, {@link Args#BIAS},
     * {@link Args#DST} and {@link Args#postOp(int)} for each binary step.
     */
    public static Primitive matmul(View src, View weights, View bias, View dst, PostOps post) {
        String what = "matmul " + src + " × " + weights + " → " + dst + " (" + post + ")";
        dnnl_matmul_desc_t op = new dnnl_matmul_desc_t();
        OneDnn.check(dnnl_matmul_desc_init(op, desc(src), desc(weights), bias == null ? null : desc(bias), desc(dst)),
                what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, src);
        slots.put(Args.WEIGHTS, weights);
        if (bias != null) {
            slots.put(Args.BIAS, bias);
        }
        slots.put(Args.DST, dst);
        return build(what, op, post, slots, null);
    }

    /**
     * {@code dst = post(src × Wᵀ + bias)} for a Linear layer's weight in the layout oneDNN's kernel prefers
     * ({@link PackedWeights}): for products with few rows this is twice as fast as reading PyTorch's
     * {@code [out, in]} layout through strides. {@code src} is {@code [M, in]}; bind the weights with
     * {@link Primitive#bind(int, PackedWeights)}.
     */
    public static Primitive linear(View src, PackedWeights weights, View bias, View dst, PostOps post) {
        String what = "linear " + src + " × [" + weights.in() + ", " + weights.out() + "] → " + dst + " (" + post + ")";
        dnnl_matmul_desc_t op = new dnnl_matmul_desc_t();
        OneDnn.check(dnnl_matmul_desc_init(op, desc(src), anyLayout(weights.in(), weights.out()),
                bias == null ? null : desc(bias), desc(dst)), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, src);
        if (bias != null) {
            slots.put(Args.BIAS, bias);
        }
        slots.put(Args.DST, dst);
        return build(what, op, post, slots, Args.WEIGHTS);
    }

    /** oneDNN reads out of bounds rather than refusing a second operand larger than the result: refuse it here. */
    private static void broadcastable(View operand, View target, String what) {
        long[] o = operand.dims();
        long[] t = target.dims();
        boolean ok = o.length == t.length;
        for (int i = 0; ok && i < o.length; i++) {
            ok = o[i] == t[i] || o[i] == 1;
        }
        if (!ok) {
            throw new IllegalArgumentException(what + ": " + operand + " does not broadcast to "
                    + java.util.Arrays.toString(t) + " (each dimension must match or be 1)");
        }
    }

    /**
     * {@code a} itself when it is a whole, contiguous float32 array (no copy: large weights are not duplicated),
     * else a dense float32 copy.
     */
    public static INDArray dense(INDArray a) {
        return a.dataType() == DataType.FLOAT && isWhole(a) ? a : a.castTo(DataType.FLOAT).dup('c');
    }

    /**
     * A C-ordered, contiguous array starting at its buffer's start: what a kernel may address by that start. The
     * buffer may be longer (a workspace's prefix, see TransformerStack); kernels check their extent against it.
     */
    public static boolean isWhole(INDArray a) {
        if (a.offset() != 0 || a.data().offset() != 0 || a.length() > a.data().length()) {
            return false;
        }
        // C order by strides; a dimension of size 1 may carry any stride (ND4J gives them odd ones).
        long[] shape = a.shape();
        long[] strides = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    static dnnl_memory_desc_t anyLayout(long rows, long cols) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        OneDnn.check(dnnl_memory_desc_init_by_tag(d, 2, new long[] {rows, cols}, dnnl_f32, dnnl_format_tag_any),
                "memory descriptor [" + rows + ", " + cols + "] (any layout)");
        return d;
    }

    /**
     * A kernel that copies a tensor between two layouts ({@link Args#SRC} in {@code from}, {@link Args#DST} in
     * {@code to}), e.g. channel-blocked to channels-last.
     */
    public static Primitive reorder(View from, View to) {
        String what = "reorder " + from + " -> " + to;
        if (!java.util.Arrays.equals(from.dims(), to.dims())) {
            throw new IllegalArgumentException(what + ": the sizes differ");
        }
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, from);
        slots.put(Args.DST, to);
        return new Primitive(what, reorderPrimitive(desc(from), desc(to), what), slots, Map.of());
    }


    /** Copies between two layouts of the same tensor (a one-off: builds and drops its kernel). */
    static void reorder(dnnl_memory_desc_t from, INDArray source, dnnl_memory_desc_t to, INDArray target) {
        try (Primitive r = reorder(from, to, "reorder")) {
            r.bindRaw(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM, source);
            r.bindRaw(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO, target);
            r.execute();
        }
    }


    /**
     * LayerNorm over the last dimension with gain ({@link Args#SCALE}) and bias ({@link Args#SHIFT}), each
     * {@code [C]}; {@link Args#SRC} and {@link Args#DST} may be the same array.
     */
    public static Primitive layerNorm(View data, float eps) {
        String what = "layer_norm " + data;
        dnnl_layer_normalization_desc_t op = new dnnl_layer_normalization_desc_t();
        OneDnn.check(dnnl_layer_normalization_forward_desc_init(op, dnnl_forward_inference, desc(data), null, eps,
                dnnl_use_scale | dnnl_use_shift), what);
        long[] dims = data.dims();
        View channel = View.dense(dims[dims.length - 1]);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, data);
        slots.put(Args.DST, data);
        slots.put(Args.SCALE, channel);
        slots.put(Args.SHIFT, channel);
        return build(what, op, PostOps.none(), slots, null);
    }

    /**
     * LayerNorm for training: as {@link #layerNorm} and also writes each row's mean and variance ({@link Args#MEAN},
     * {@link Args#VARIANCE}, one value per row) for {@link #layerNormBackward}.
     */
    public static Primitive layerNormTraining(View data, float eps) {
        String what = "layer_norm (training) " + data;
        dnnl_layer_normalization_desc_t op = layerNormDesc(data, eps, what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        View channel = channels(data);
        slots.put(Args.SRC, data);
        slots.put(Args.DST, data);
        slots.put(Args.SCALE, channel);
        slots.put(Args.SHIFT, channel);
        slots.put(Args.MEAN, rowStatistics(data));
        slots.put(Args.VARIANCE, rowStatistics(data));
        return build(what, op, PostOps.none(), slots, null);
    }

    /**
     * LayerNorm's backward: from the forward input ({@link Args#SRC}), its row statistics, the gain and bias
     * ({@link Args#SCALE}, {@link Args#SHIFT}: oneDNN asks for both) and the output's gradient ({@link Args#DIFF_DST}), writes the input's gradient
     * ({@link Args#DIFF_SRC}) and the gain's and bias's ({@link Args#DIFF_SCALE}, {@link Args#DIFF_SHIFT}, {@code [C]}).
     */
    public static Primitive layerNormBackward(View data, float eps) {
        String what = "layer_norm backward " + data;
        dnnl_layer_normalization_desc_t op = new dnnl_layer_normalization_desc_t();
        OneDnn.check(dnnl_layer_normalization_backward_desc_init(op, dnnl_backward, desc(data), desc(data),
                desc(rowStatistics(data)), eps, dnnl_use_scale | dnnl_use_shift), what);
        View channel = channels(data);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, data);
        slots.put(Args.MEAN, rowStatistics(data));
        slots.put(Args.VARIANCE, rowStatistics(data));
        slots.put(Args.SCALE, channel);
        slots.put(Args.SHIFT, channel);
        slots.put(Args.DIFF_DST, data);
        slots.put(Args.DIFF_SRC, data);
        slots.put(Args.DIFF_SCALE, channel);
        slots.put(Args.DIFF_SHIFT, channel);
        return build(what, op, layerNormDesc(data, eps, what), PostOps.none(), slots, null);
    }

    private static dnnl_layer_normalization_desc_t layerNormDesc(View data, float eps, String what) {
        dnnl_layer_normalization_desc_t op = new dnnl_layer_normalization_desc_t();
        OneDnn.check(dnnl_layer_normalization_forward_desc_init(op, dnnl_forward_training, desc(data),
                desc(rowStatistics(data)), eps, dnnl_use_scale | dnnl_use_shift), what);
        return op;
    }

    private static View channels(View data) {
        long[] dims = data.dims();
        return View.dense(dims[dims.length - 1]);
    }

    private static View rowStatistics(View data) {
        long[] dims = data.dims();
        return View.dense(java.util.Arrays.copyOf(dims, dims.length - 1));
    }

    /** An element-wise activation on its own, {@link Args#SRC} to {@link Args#DST} (for training, which keeps both). */
    public static Primitive eltwise(View data, PostOps.Eltwise f) {
        String what = "eltwise " + f + " " + data;
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, data);
        slots.put(Args.DST, data);
        return build(what, eltwiseDesc(data, f, what), PostOps.none(), slots, null);
    }

    /**
     * An activation's backward: from the forward input ({@link Args#SRC}) and the output's gradient
     * ({@link Args#DIFF_DST}), the input's gradient ({@link Args#DIFF_SRC}).
     */
    public static Primitive eltwiseBackward(View data, PostOps.Eltwise f) {
        String what = "eltwise backward " + f + " " + data;
        dnnl_eltwise_desc_t op = new dnnl_eltwise_desc_t();
        OneDnn.check(dnnl_eltwise_backward_desc_init(op, f.algorithm, desc(data), desc(data), f.alpha, 0f), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, data);
        slots.put(Args.DIFF_DST, data);
        slots.put(Args.DIFF_SRC, data);
        return build(what, op, eltwiseDesc(data, f, what), PostOps.none(), slots, null);
    }

    private static dnnl_eltwise_desc_t eltwiseDesc(View data, PostOps.Eltwise f, String what) {
        dnnl_eltwise_desc_t op = new dnnl_eltwise_desc_t();
        OneDnn.check(dnnl_eltwise_forward_desc_init(op, dnnl_forward_training, f.algorithm, desc(data), f.alpha, 0f),
                what);
        return op;
    }

    /**
     * Softmax's backward along {@code axis}: from the forward output ({@link Args#DST}) and its gradient
     * ({@link Args#DIFF_DST}), the input's gradient ({@link Args#DIFF_SRC}).
     */
    public static Primitive softmaxBackward(View data, int axis) {
        String what = "softmax backward " + data + " axis " + axis;
        dnnl_softmax_desc_t op = new dnnl_softmax_desc_t();
        OneDnn.check(dnnl_softmax_backward_desc_init(op, desc(data), desc(data), axis), what);
        dnnl_softmax_desc_t forward = new dnnl_softmax_desc_t();
        OneDnn.check(dnnl_softmax_forward_desc_init(forward, dnnl_forward_training, desc(data), axis), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.DST, data);
        slots.put(Args.DIFF_DST, data);
        slots.put(Args.DIFF_SRC, data);
        return build(what, op, forward, PostOps.none(), slots, null);
    }

    /** Softmax along {@code axis}; in place when {@link Args#SRC} and {@link Args#DST} are the same array. */
    public static Primitive softmax(View data, int axis) {
        String what = "softmax " + data + " axis " + axis;
        dnnl_softmax_desc_t op = new dnnl_softmax_desc_t();
        OneDnn.check(dnnl_softmax_forward_desc_init(op, dnnl_forward_inference, desc(data), axis), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, data);
        slots.put(Args.DST, data);
        return build(what, op, PostOps.none(), slots, null);
    }

    /**
     * A 2-D convolution {@code dst = post(conv(src, W) + bias)} with square kernels, equal strides and zero padding on
     * every side. {@code src} and {@code dst} are {@code [N, C, H, W]} views (NHWC storage through strides is what
     * oneDNN's kernels run fastest on); the weights are {@link PackedWeights#ofConvolution}, repacked once into the
     * layout this kernel picks; {@code bias} is {@code [O]} or null. Slots {@link Args#SRC}, {@link Args#WEIGHTS},
     * {@link Args#BIAS}, {@link Args#DST} and the post-ops'.
     */
    public static Primitive convolution(View src, PackedWeights weights, View bias, View dst, int stride, int padding,
            PostOps post) {
        return convolution(src, weights, bias, dst, stride, padding, post, dnnl_convolution_direct);
    }

    /**
     * {@link #convolution(View, PackedWeights, View, View, int, int, PostOps)}, by Winograd's minimal filtering
     * where oneDNN has a kernel for it when {@code winograd} (3×3, stride 1, 16-channel blocks, AVX-512: its
     * F(2×2, 3×3) and F(4×4, 3×3) kernels, up to 4× fewer multiplications, float32 results within ~1e-6 relative
     * of the direct ones), else directly.
     */
    public static Primitive convolution(View src, PackedWeights weights, View bias, View dst, int stride, int padding,
            PostOps post, boolean winograd) {
        if (winograd) {
            try {
                return convolution(src, weights, bias, dst, stride, padding, post,
                        org.bytedeco.dnnl.global.dnnl.dnnl_convolution_winograd);
            } catch (OneDnn.Unimplemented e) {
                // no Winograd kernel for this shape or CPU: the direct one below
            }
        }
        return convolution(src, weights, bias, dst, stride, padding, post, dnnl_convolution_direct);
    }

    private static Primitive convolution(View src, PackedWeights weights, View bias, View dst, int stride,
            int padding, PostOps post, int algorithm) {
        long[] wd = weights.convolutionDims();
        if (wd == null) {
            throw new IllegalArgumentException("convolution weights must come from PackedWeights.ofConvolution");
        }
        String what = "convolution " + src + " * " + java.util.Arrays.toString(wd) + " /" + stride + " pad " + padding
                + " -> " + dst + " (" + post + ")";
        dnnl_memory_desc_t any = new dnnl_memory_desc_t();
        OneDnn.check(dnnl_memory_desc_init_by_tag(any, 4, wd, dnnl_f32, dnnl_format_tag_any), what + " weights");
        dnnl_convolution_desc_t op = new dnnl_convolution_desc_t();
        long[] strides = {stride, stride};
        long[] pad = {padding, padding};
        OneDnn.check(dnnl_convolution_forward_desc_init(op, dnnl_forward_inference, algorithm, desc(src),
                any, bias == null ? null : desc(bias), desc(dst), strides, pad, pad), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, src);
        if (bias != null) {
            slots.put(Args.BIAS, bias);
        }
        slots.put(Args.DST, dst);
        return build(what, op, post, slots, Args.WEIGHTS);
    }

    /** The forward-training descriptor a convolution's backward kernels are built against (oneDNN's hint). */
    private static dnnl_convolution_desc_t convolutionTrainingDesc(View src, long[] weightDims, View bias, View dst,
            int stride, int padding, String what) {
        dnnl_convolution_desc_t op = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_convolution_forward_desc_init(op, dnnl_forward_training, dnnl_convolution_direct,
                desc(src), anyWeights(weightDims, what), bias == null ? null : desc(bias), desc(dst),
                new long[] {stride, stride}, new long[] {padding, padding}, new long[] {padding, padding}),
                what + " (its forward)");
        return op;
    }

    private static dnnl_memory_desc_t anyWeights(long[] dims, String what) {
        dnnl_memory_desc_t any = new dnnl_memory_desc_t();
        OneDnn.check(dnnl_memory_desc_init_by_tag(any, 4, dims, dnnl_f32, dnnl_format_tag_any), what + " weights");
        return any;
    }

    /**
     * A convolution's input gradient: {@link Args#DIFF_SRC} from {@link Args#DIFF_DST} and {@link Args#WEIGHTS}
     * (bound as {@link PackedWeights#ofConvolution}, repacked into this kernel's layout); views as in
     * {@link #convolution(View, PackedWeights, View, View, int, int, PostOps)}.
     */
    public static Primitive convolutionBackwardData(View diffSrc, PackedWeights weights, View diffDst, int stride,
            int padding) {
        long[] wd = weights.convolutionDims();
        if (wd == null) {
            throw new IllegalArgumentException("convolution weights must come from PackedWeights.ofConvolution");
        }
        String what = "convolution backward data " + diffDst + " * " + java.util.Arrays.toString(wd) + " /" + stride
                + " pad " + padding + " -> " + diffSrc;
        dnnl_convolution_desc_t op = new dnnl_convolution_desc_t();
        OneDnn.check(org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init(op,
                dnnl_convolution_direct, desc(diffSrc), anyWeights(wd, what), desc(diffDst),
                new long[] {stride, stride}, new long[] {padding, padding}, new long[] {padding, padding}), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.DIFF_SRC, diffSrc);
        slots.put(Args.DIFF_DST, diffDst);
        return build(what, op, convolutionTrainingDesc(diffSrc, wd, null, diffDst, stride, padding, what),
                PostOps.none(), slots, Args.WEIGHTS);
    }

    /**
     * A convolution's weight and bias gradients from {@link Args#SRC} and {@link Args#DIFF_DST}:
     * {@link Args#DIFF_BIAS} ({@code [O]}, or no slot when {@code diffBias} is null) and
     * {@link Args#DIFF_WEIGHTS} in a layout the kernel picks — bind a buffer of
     * {@link Primitive#packedElements} and copy it out with {@link Primitive#unpack}.
     */
    public static Primitive convolutionBackwardWeights(View src, long[] weightDims, View diffBias, View diffDst,
            int stride, int padding) {
        String what = "convolution backward weights " + src + ", " + diffDst + " -> "
                + java.util.Arrays.toString(weightDims) + " /" + stride + " pad " + padding;
        dnnl_convolution_desc_t op = new dnnl_convolution_desc_t();
        OneDnn.check(org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init(op,
                dnnl_convolution_direct, desc(src), anyWeights(weightDims, what),
                diffBias == null ? null : desc(diffBias), desc(diffDst), new long[] {stride, stride},
                new long[] {padding, padding}, new long[] {padding, padding}), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, src);
        if (diffBias != null) {
            slots.put(Args.DIFF_BIAS, diffBias);
        }
        slots.put(Args.DIFF_DST, diffDst);
        return build(what, op, convolutionTrainingDesc(src, weightDims, diffBias, diffDst, stride, padding, what),
                PostOps.none(), slots, Args.DIFF_WEIGHTS, org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md);
    }

    /** A reorder between two layouts given as descriptors (slots DNNL_ARG_FROM and DNNL_ARG_TO, bound raw). */
    static Primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to, String what) {
        Map<Integer, dnnl_memory_desc_t> slots = new LinkedHashMap<>();
        slots.put(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM, from);
        slots.put(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO, to);
        return new Primitive(what, reorderPrimitive(from, to, what), Map.of(), slots);
    }

    /** A reorder primitive between two layouts (the caller wraps it in a {@link Primitive}). */
    private static dnnl_primitive reorderPrimitive(dnnl_memory_desc_t from, dnnl_memory_desc_t to, String what) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        OneDnn.check(dnnl_reorder_primitive_desc_create(pd, from, OneDnn.engine(), to, OneDnn.engine(), null), what);
        dnnl_primitive p = new dnnl_primitive();
        try {
            OneDnn.check(dnnl_primitive_create(p, pd), what);
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
        return p;
    }


    /** A reorder from a kernel's own layout ({@code from}, e.g. a packed slot's) into a strided view. */
    static Primitive reorder(dnnl_memory_desc_t from, View to, String what) {
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.DST, to);
        return new Primitive(what, reorderPrimitive(from, desc(to), what), slots, Map.of(Args.SRC, from));
    }


    /**
     * Average pooling over non-overlapping {@code kernel × kernel} windows (stride = kernel, no padding), PyTorch's
     * {@code AvgPool2d(kernel)}; {@code src} and {@code dst} {@code [N, C, H, W]} views.
     */
    public static Primitive averagePool(View src, View dst, int kernel) {
        String what = "average pool " + kernel + " " + src + " -> " + dst;
        dnnl_pooling_desc_t op = new dnnl_pooling_desc_t();
        long[] k = {kernel, kernel};
        long[] zero = {0, 0};
        OneDnn.check(dnnl_pooling_forward_desc_init(op, dnnl_forward_inference, dnnl_pooling_avg_exclude_padding,
                desc(src), desc(dst), k, k, zero, zero), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, src);
        slots.put(Args.DST, dst);
        return build(what, op, PostOps.none(), slots, null);
    }

    /** {@code dst = a + b}, {@code b} broadcast where its dimensions are 1 ({@link Args#SRC}, {@link Args#SRC_1}). */
    public static Primitive add(View a, View b, View dst) {
        return binary(a, b, dst, dnnl_binary_add, "add");
    }

    /** {@code dst = a · b} element-wise, {@code b} broadcast as in {@link #add}. */
    public static Primitive multiply(View a, View b, View dst) {
        return binary(a, b, dst, org.bytedeco.dnnl.global.dnnl.dnnl_binary_mul, "multiply");
    }

    private static Primitive binary(View a, View b, View dst, int algorithm, String name) {
        String what = name + " " + a + ", " + b;
        if (!java.util.Arrays.equals(a.dims(), dst.dims())) {
            throw new IllegalArgumentException(what + ": the result " + dst + " must have the first input's shape");
        }
        broadcastable(b, dst, what);
        dnnl_binary_desc_t op = new dnnl_binary_desc_t();
        OneDnn.check(dnnl_binary_desc_init(op, algorithm, desc(a), desc(b), desc(dst)), what);
        Map<Integer, View> slots = new LinkedHashMap<>();
        slots.put(Args.SRC, a);
        slots.put(Args.SRC_1, b);
        slots.put(Args.DST, dst);
        return build(what, op, PostOps.none(), slots, null);
    }

    private static Primitive build(String what, Pointer op, PostOps post, Map<Integer, View> slots, Integer packedArg) {
        return build(what, op, null, post, slots, packedArg);
    }

    private static Primitive build(String what, Pointer op, Pointer forward, PostOps post, Map<Integer, View> slots,
            Integer packedArg) {
        return build(what, op, forward, post, slots, packedArg, dnnl_query_weights_md);
    }

    /**
     * @param forward     for a backward kernel, the forward op it differentiates (oneDNN's "hint"); else null
     * @param packedQuery which of the kernel's layouts the packed slot takes (weights, or the weights' gradient)
     */
    private static Primitive build(String what, Pointer op, Pointer forward, PostOps post, Map<Integer, View> slots,
            Integer packedArg, int packedQuery) {
        dnnl_primitive_desc hint = null;
        if (forward != null) {
            hint = new dnnl_primitive_desc();
            OneDnn.check(dnnl_primitive_desc_create(hint, new const_dnnl_op_desc_t(forward), null, OneDnn.engine(),
                    null), what + " (its forward)");
        }
        try {
            return buildWithHint(what, op, hint, post, slots, packedArg, packedQuery);
        } finally {
            if (hint != null) {
                dnnl_primitive_desc_destroy(hint);
            }
        }
    }

    private static Primitive buildWithHint(String what, Pointer op, dnnl_primitive_desc hint, PostOps post,
            Map<Integer, View> slots, Integer packedArg, int packedQuery) {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        OneDnn.check(dnnl_primitive_attr_create(attr), what + " attributes");
        dnnl_post_ops chain = new dnnl_post_ops();
        OneDnn.check(dnnl_post_ops_create(chain), what + " post-ops");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try {
            if (post.outputScale() != 1f) {
                OneDnn.check(dnnl_primitive_attr_set_output_scales(attr, 1, 0, new float[] {post.outputScale()}),
                        what + " output scale");
            }
            int index = 0;
            for (PostOps.Step step : post.steps()) {
                if (step.eltwise() != null) {
                    OneDnn.check(dnnl_post_ops_append_eltwise(chain, 1f, step.eltwise().algorithm,
                            step.eltwise().alpha, 0f), what + " activation");
                } else if (step.sum()) {
                    OneDnn.check(org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum(chain, 1f),
                            what + " accumulate");
                } else {
                    broadcastable(step.operand(), slots.get(Args.DST), what);
                    OneDnn.check(dnnl_post_ops_append_binary(chain, step.multiply()
                            ? org.bytedeco.dnnl.global.dnnl.dnnl_binary_mul : dnnl_binary_add, desc(step.operand())),
                            what + " fused binary");
                    slots.put(Args.postOp(index), step.operand());
                }
                index++;
            }
            OneDnn.check(dnnl_primitive_attr_set_post_ops(attr, chain), what + " post-ops");
            OneDnn.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(op), attr, OneDnn.engine(), hint),
                    what);
            dnnl_primitive primitive = new dnnl_primitive();
            OneDnn.check(dnnl_primitive_create(primitive, pd), what);
            // (The Primitive constructor destroys the primitive itself if it fails.)
            Map<Integer, dnnl_memory_desc_t> packed = new LinkedHashMap<>();
            if (packedArg != null) {
                // A copy: the queried descriptor lives inside the primitive descriptor, destroyed below.
                dnnl_memory_desc_t chosen = new dnnl_memory_desc_t();
                chosen.put(dnnl_primitive_desc_query_md(pd, packedQuery, 0));
                packed.put(packedArg, chosen);
            }
            return new Primitive(what, primitive, slots, packed);
        } finally {
            if (!pd.isNull()) {
                dnnl_primitive_desc_destroy(pd);
            }
            dnnl_post_ops_destroy(chain);
            dnnl_primitive_attr_destroy(attr);
        }
    }

    /**
     * Copies rows {@code rows[i]} of the C-order matrix {@code table [R, C]} into rows {@code i} of {@code dst}
     * (C-order, at least {@code rows.length · C} elements): an embedding lookup, one {@code memcpy} per row, into
     * an array that is kept (a fresh array per call costs more than the copy on large batches).
     */
    public static void gatherRows(INDArray table, long[] rows, INDArray dst) {
        if (table.rank() != 2 || table.dataType() != DataType.FLOAT || !isWhole(table)) {
            throw new IllegalArgumentException("table must be a whole C-order float32 matrix, got "
                    + java.util.Arrays.toString(table.shape()) + " " + table.dataType());
        }
        long count = table.size(0);
        long width = table.size(1);
        if (dst.dataType() != DataType.FLOAT || !isWhole(dst) || dst.data().length() < rows.length * width) {
            throw new IllegalArgumentException("destination must be a whole float32 array of at least "
                    + rows.length * width + " elements");
        }
        long bytes = 4 * width;
        long from = table.data().addressPointer().address();
        long to = dst.data().addressPointer().address();
        Address src = new Address();
        Address out = new Address();
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= count) {
                throw new IllegalArgumentException("row " + rows[i] + " is outside the table's " + count + " rows");
            }
            Pointer.memcpy(out.at(to + i * bytes), src.at(from + rows[i] * bytes), bytes);
        }
    }

    /**
     * Copies {@code elements} floats from element {@code fromOffset} of {@code from}'s buffer to element
     * {@code toOffset} of {@code to}'s (both whole float32 arrays): one {@code memcpy}, for packing parameters side by
     * side and splitting gradients that were computed side by side.
     */
    public static void copy(INDArray from, long fromOffset, INDArray to, long toOffset, long elements) {
        for (INDArray a : new INDArray[] {from, to}) {
            if (a.dataType() != DataType.FLOAT || !isWhole(a)) {
                throw new IllegalArgumentException("copy needs whole float32 arrays, got " + a.dataType() + " "
                        + java.util.Arrays.toString(a.shape()));
            }
        }
        if (fromOffset < 0 || toOffset < 0 || fromOffset + elements > from.data().length()
                || toOffset + elements > to.data().length()) {
            throw new IllegalArgumentException("copy of " + elements + " elements from " + fromOffset + " to "
                    + toOffset + " runs past an array (" + from.data().length() + ", " + to.data().length() + ")");
        }
        Pointer.memcpy(new Address().at(to.data().addressPointer().address() + 4 * toOffset),
                new Address().at(from.data().addressPointer().address() + 4 * fromOffset), 4 * elements);
    }

    /** A javacpp pointer set to a raw address: no per-call object, no position arithmetic. */
    static final class Address extends Pointer {
        Address at(long a) {
            this.address = a;
            return this;
        }
    }

    static dnnl_memory_desc_t desc(View v) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        if (v.block() > 0) {
            OneDnn.check(dnnl_memory_desc_init_by_tag(d, 4, v.dims(), dnnl_f32, v.block() == 16
                    ? org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b : org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b),
                    "memory descriptor " + v);
            return d;
        }
        OneDnn.check(dnnl_memory_desc_init_by_strides(d, v.dims().length, v.dims(), dnnl_f32, v.strides()),
                "memory descriptor " + v);
        return d;
    }
}
