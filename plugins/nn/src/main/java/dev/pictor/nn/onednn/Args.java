package dev.pictor.nn.onednn;

import org.bytedeco.dnnl.global.dnnl;

/**
 * The argument slots of a {@link Primitive}, as oneDNN numbers them.
 *
 * <pre>{@code
 * matmul.bind(Args.SRC, x).bind(Args.WEIGHTS, w).bind(Args.DST, y).bind(Args.postOp(1), residual);
 * }</pre>
 */
public final class Args {
    /** Input (the first input of a binary op). */
    public static final int SRC = dnnl.DNNL_ARG_SRC;
    /** The second input of a binary op. */
    public static final int SRC_1 = dnnl.DNNL_ARG_SRC_1;
    /** Matrix-product weights. */
    public static final int WEIGHTS = dnnl.DNNL_ARG_WEIGHTS;
    /** Matrix-product bias. */
    public static final int BIAS = dnnl.DNNL_ARG_BIAS;
    /** Output. */
    public static final int DST = dnnl.DNNL_ARG_DST;
    /** LayerNorm gain. */
    public static final int SCALE = dnnl.DNNL_ARG_SCALE;
    /** LayerNorm bias. */
    public static final int SHIFT = dnnl.DNNL_ARG_SHIFT;
    /** Per-row mean a training LayerNorm writes and its backward reads. */
    public static final int MEAN = dnnl.DNNL_ARG_MEAN;
    /** Per-row variance a training LayerNorm writes and its backward reads. */
    public static final int VARIANCE = dnnl.DNNL_ARG_VARIANCE;
    /** A backward kernel's gradient with respect to its forward input. */
    public static final int DIFF_SRC = dnnl.DNNL_ARG_DIFF_SRC;
    /** A backward kernel's incoming gradient (with respect to its forward output). */
    public static final int DIFF_DST = dnnl.DNNL_ARG_DIFF_DST;
    /** LayerNorm backward's gradient of the gain. */
    public static final int DIFF_WEIGHTS = dnnl.DNNL_ARG_DIFF_WEIGHTS;
    public static final int DIFF_BIAS = dnnl.DNNL_ARG_DIFF_BIAS;
    public static final int DIFF_SCALE = dnnl.DNNL_ARG_DIFF_SCALE;
    /** LayerNorm backward's gradient of the bias. */
    public static final int DIFF_SHIFT = dnnl.DNNL_ARG_DIFF_SHIFT;

    private Args() {
    }

    /** The extra input of the post-op at {@code index} in its {@link PostOps} chain (a binary add). */
    public static int postOp(int index) {
        return (dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1)) | dnnl.DNNL_ARG_SRC_1;
    }
}
