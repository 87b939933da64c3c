package dev.pictor.nn.fused;

import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.OneDnn;
import dev.pictor.nn.onednn.PostOps;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Latent diffusion's gated feed-forward ({@code FeedForward(glu=True)}: {@code GEGLU} then a Linear):
 * {@code y = (x W_vᵀ + b_v) ⊙ GELU(x W_gᵀ + b_g) · W_2ᵀ + b_2}, where {@code W_v}, {@code W_g} are the first and second
 * halves of {@code net.0.proj}'s weight — trained on oneDNN kernels. The halves are read in place (row blocks of the
 * one parameter), so are their gradients written. As graph ops (product, split, erf-based GELU, product, each with
 * its backward) the 11 of a small UNet cost ~120 ms of a training step. Kernels and buffers per row count. Not
 * thread-safe.
 *
 * <pre>{@code
 * var ff = new FeedForwardTraining(320, 1280);
 * INDArray y = ff.forward(x, new INDArray[] {w1, b1, w2, b2});    // x [..., 320]; w1 [2560, 320], w2 [320, 1280]
 * ff.backward(dy, params, dx, grads);
 * }</pre>
 */
public final class FeedForwardTraining implements FusedKernels {
    public static final int W1 = 0;
    public static final int B1 = 1;
    public static final int W2 = 2;
    public static final int B2 = 3;

    private final long dim;
    private final long hidden;
    private Plan plan;
    private boolean forwardDone;

    public FeedForwardTraining(long dim, long hidden) {
        if (!OneDnn.available()) {
            throw new IllegalStateException(OneDnn.unavailableReason());
        }
        this.dim = dim;
        this.hidden = hidden;
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("dim", dim);
        p.put("hidden", hidden);
        return p;
    }

    static FeedForwardTraining fromProperties(Map<String, Object> p) {
        return new FeedForwardTraining(FusedOps.number(p, "dim").longValue(), FusedOps.number(p, "hidden").longValue());
    }

    /** The output, shaped as {@code x [..., dim]}; an array of this object's. */
    public INDArray forward(INDArray x, INDArray[] params) {
        if (x.size(x.rank() - 1) != dim) {
            throw new IllegalArgumentException("feed-forward over width " + dim + ", got "
                    + java.util.Arrays.toString(x.shape()));
        }
        long rows = x.length() / dim;
        if (plan == null || plan.rows != rows) {
            if (plan != null) {
                plan.close();
            }
            plan = null;
            plan = new Plan(rows);
        }
        plan.forward(Kernels.dense(x.castTo(DataType.FLOAT)), dense(params));
        forwardDone = true;
        return plan.y.reshape(x.shape());
    }

    /** Gradients for the last forward: {@code dx} (x's shape) and {@code grads} in parameter order. */
    public void backward(INDArray dy, INDArray[] params, INDArray dx, INDArray[] grads) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        plan.backward(Kernels.dense(dy.castTo(DataType.FLOAT)), dense(params), dx, grads);
    }

    private static INDArray[] dense(INDArray[] params) {
        INDArray[] out = new INDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            out[i] = Kernels.dense(params[i].castTo(DataType.FLOAT));
        }
        return out;
    }

    private final class Plan implements AutoCloseable {
        final long rows;
        INDArray x;
        final INDArray gatePre;
        final INDArray gate;
        final INDArray value;
        final INDArray gated;
        final INDArray y;
        final INDArray dGated;
        final INDArray dValue;
        final INDArray dGate;
        final INDArray dGatePre;
        final INDArray ones;
        final List<Primitive> made = new ArrayList<>();
        final Primitive valueProduct;
        final Primitive gateProduct;
        final Primitive gelu;
        final Primitive product;
        final Primitive output;
        final Primitive outWeightGrad;
        final Primitive outBiasGrad;
        final Primitive gatedGrad;
        final Primitive halfWeightGrad;
        final Primitive halfBiasGrad;
        final Primitive geluBack;
        final Primitive inputGrad;
        final Primitive inputGradAccumulate;

        private Primitive made(Primitive p) {
            made.add(p);
            return p;
        }

        Plan(long rows) {
            this.rows = rows;
            long h = hidden;
            gatePre = buffer(rows, h);
            gate = buffer(rows, h);
            value = buffer(rows, h);
            gated = buffer(rows, h);
            y = buffer(rows, dim);
            dGated = buffer(rows, h);
            dValue = buffer(rows, h);
            dGate = buffer(rows, h);
            dGatePre = buffer(rows, h);
            ones = Nd4j.ones(DataType.FLOAT, 1, rows);
            View hiddenView = View.dense(rows, h);
            try {
                // each half of net.0.proj: a [hidden, dim] row block of the weight, read transposed in place
                valueProduct = made(Kernels.matmul(View.dense(rows, dim), View.transposed(dim, h), View.dense(1, h),
                        hiddenView, PostOps.none()));
                gateProduct = made(Kernels.matmul(View.dense(rows, dim), View.transposed(dim, h), View.dense(1, h),
                        hiddenView, PostOps.none()));
                gelu = made(Kernels.eltwise(hiddenView, PostOps.Eltwise.GELU_ERF));
                product = made(Kernels.multiply(hiddenView, hiddenView, hiddenView));
                output = made(Kernels.matmul(hiddenView, View.transposed(h, dim), View.dense(1, dim),
                        View.dense(rows, dim), PostOps.none()));
                outWeightGrad = made(LinearGradients.weight(rows, dim, h));
                outBiasGrad = made(LinearGradients.bias(rows, dim));
                gatedGrad = made(LinearGradients.input(rows, dim, h, PostOps.none()));
                halfWeightGrad = made(LinearGradients.weight(rows, h, dim));
                halfBiasGrad = made(LinearGradients.bias(rows, h));
                geluBack = made(Kernels.eltwiseBackward(hiddenView, PostOps.Eltwise.GELU_ERF));
                inputGrad = made(LinearGradients.input(rows, h, dim, PostOps.none()));
                inputGradAccumulate = made(LinearGradients.input(rows, h, dim, PostOps.none().accumulate()));
            } catch (RuntimeException e) {
                made.forEach(Primitive::close);
                throw e;
            }
        }

        void forward(INDArray xIn, INDArray[] p) {
            x = xIn;
            long half = hidden * dim;
            valueProduct.bind(Args.SRC, x).bind(Args.WEIGHTS, p[W1], 0).bind(Args.BIAS, p[B1], 0)
                    .bind(Args.DST, value).execute();
            gateProduct.bind(Args.SRC, x).bind(Args.WEIGHTS, p[W1], half).bind(Args.BIAS, p[B1], hidden)
                    .bind(Args.DST, gatePre).execute();
            gelu.bind(Args.SRC, gatePre).bind(Args.DST, gate).execute();
            product.bind(Args.SRC, value).bind(Args.SRC_1, gate).bind(Args.DST, gated).execute();
            output.bind(Args.SRC, gated).bind(Args.WEIGHTS, p[W2]).bind(Args.BIAS, p[B2]).bind(Args.DST, y).execute();
        }

        void backward(INDArray dy, INDArray[] p, INDArray dx, INDArray[] g) {
            long half = hidden * dim;
            outWeightGrad.bind(Args.SRC, dy).bind(Args.WEIGHTS, gated).bind(Args.DST, g[W2]).execute();
            outBiasGrad.bind(Args.SRC, ones).bind(Args.WEIGHTS, dy).bind(Args.DST, g[B2]).execute();
            gatedGrad.bind(Args.SRC, dy).bind(Args.WEIGHTS, p[W2]).bind(Args.DST, dGated).execute();
            // d value = d gated ⊙ GELU(gate); d GELU(gate) = d gated ⊙ value
            product.bind(Args.SRC, dGated).bind(Args.SRC_1, gate).bind(Args.DST, dValue).execute();
            product.bind(Args.SRC, dGated).bind(Args.SRC_1, value).bind(Args.DST, dGate).execute();
            geluBack.bind(Args.SRC, gatePre).bind(Args.DIFF_DST, dGate).bind(Args.DIFF_SRC, dGatePre).execute();
            halfWeightGrad.bind(Args.SRC, dValue).bind(Args.WEIGHTS, x).bind(Args.DST, g[W1], 0).execute();
            halfWeightGrad.bind(Args.SRC, dGatePre).bind(Args.DST, g[W1], half).execute();
            halfBiasGrad.bind(Args.SRC, ones).bind(Args.WEIGHTS, dValue).bind(Args.DST, g[B1], 0).execute();
            halfBiasGrad.bind(Args.WEIGHTS, dGatePre).bind(Args.DST, g[B1], hidden).execute();
            inputGrad.bind(Args.SRC, dValue).bind(Args.WEIGHTS, p[W1], 0).bind(Args.DST, dx).execute();
            inputGradAccumulate.bind(Args.SRC, dGatePre).bind(Args.WEIGHTS, p[W1], half).bind(Args.DST, dx)
                    .execute();
        }

        @Override
        public void close() {
            made.forEach(Primitive::close);
        }
    }

    private static INDArray buffer(long... shape) {
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }
}
