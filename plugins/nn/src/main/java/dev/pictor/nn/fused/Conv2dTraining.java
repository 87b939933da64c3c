package dev.pictor.nn.fused;

import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.OneDnn;
import dev.pictor.nn.onednn.PackedWeights;
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
 * A 2-D convolution ({@code [N, C, H, W]} in and out, PyTorch's {@code OIHW} weight, optional bias) trained on
 * oneDNN's convolution kernels: forward, input gradient and weight/bias gradients. Inside, activations and
 * gradients are channels-last (NHWC), where oneDNN 2.5's brgemm kernels run — measured on a small UNet's training
 * step: its 72 convolutions forward and backward 155–165 ms channels-last against 270–330 ms in 16-channel blocks;
 * one reorder on the way in and one on the way out per pass. The weight is repacked into the kernels' layouts
 * once per step ({@link PackedWeights#refresh}). ND4J's conv2d and its backward (with the weight permuted for it)
 * cost a small UNet's training step ~300 ms; these a fraction of that. Kernels and buffers are built per input
 * shape. Not thread-safe.
 *
 * <pre>{@code
 * var conv = new Conv2dTraining(64, 128, 3, 1, 1, true);
 * INDArray y = conv.forward(x, weight, bias);          // x [N, 64, H, W] → [N, 128, H, W]
 * conv.backward(dy, dx, dWeight, dBias);
 * }</pre>
 */
public final class Conv2dTraining implements FusedKernels {
    private final long in;
    private final long out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean bias;
    private PackedWeights weights;
    private Plan plan;
    private boolean forwardDone;

    public Conv2dTraining(long in, long out, int kernel, int stride, int padding, boolean bias) {
        if (!OneDnn.available()) {
            throw new IllegalStateException(OneDnn.unavailableReason());
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.bias = bias;
    }

    public boolean bias() {
        return bias;
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("in", in);
        p.put("out", out);
        p.put("kernel", kernel);
        p.put("stride", stride);
        p.put("padding", padding);
        p.put("bias", bias ? 1 : 0);
        return p;
    }

    static Conv2dTraining fromProperties(Map<String, Object> p) {
        return new Conv2dTraining(FusedOps.number(p, "in").longValue(), FusedOps.number(p, "out").longValue(),
                FusedOps.number(p, "kernel").intValue(), FusedOps.number(p, "stride").intValue(),
                FusedOps.number(p, "padding").intValue(), FusedOps.number(p, "bias").intValue() != 0);
    }

    /** The output's shape for an input of {@code shape} ({@code [N, C, H, W]}). */
    public long[] outputShape(long[] shape) {
        return new long[] {shape[0], out, (shape[2] + 2L * padding - kernel) / stride + 1,
                (shape[3] + 2L * padding - kernel) / stride + 1};
    }

    /** {@code conv(x, weight) + bias}; an array of this object's, {@link #outputShape}. */
    public INDArray forward(INDArray x, INDArray weight, INDArray b) {
        if (x.rank() != 4 || x.size(1) != in) {
            throw new IllegalArgumentException("convolution of " + in + " channels needs [N, " + in
                    + ", H, W], got " + java.util.Arrays.toString(x.shape()));
        }
        if (weights == null) {
            weights = PackedWeights.ofConvolution(weight);
        } else {
            weights.refresh(weight);
        }
        Plan p = plan((int) x.size(0), (int) x.size(2), (int) x.size(3));
        p.forward(Kernels.dense(x.castTo(DataType.FLOAT)), b);
        forwardDone = true;
        return p.y;
    }

    /** Gradients for the last forward: {@code dx} (x's shape), {@code dWeight} (OIHW), {@code dBias} or null. */
    public void backward(INDArray dy, INDArray dx, INDArray dWeight, INDArray dBias) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        plan.backward(Kernels.dense(dy.castTo(DataType.FLOAT)), dx, dWeight, dBias);
    }

    private Plan plan(int n, int h, int w) {
        if (plan == null || plan.n != n || plan.h != h || plan.w != w) {
            if (plan != null) {
                plan.close();
            }
            plan = null;
            plan = new Plan(n, h, w);
        }
        return plan;
    }

    /** The kernels' layout. */
    private static View layout(long n, long c, long h, long w) {
        return View.channelsLast(n, c, h, w);
    }

    private final class Plan implements AutoCloseable {
        final int n;
        final int h;
        final int w;
        final INDArray xBlocked;
        final INDArray yBlocked;
        final INDArray y;
        final INDArray dyBlocked;
        final INDArray dxBlocked;
        final INDArray dWeightPacked;
        final List<Primitive> made = new ArrayList<>();
        final Primitive toBlocked;
        final Primitive forward;
        final Primitive fromBlocked;
        final Primitive gradToBlocked;
        final Primitive backwardData;
        final Primitive gradFromBlocked;
        final Primitive backwardWeights;
        final Primitive unpackWeights;

        private Primitive made(Primitive p) {
            made.add(p);
            return p;
        }

        Plan(int n, int h, int w) {
            this.n = n;
            this.h = h;
            this.w = w;
            long[] o = outputShape(new long[] {n, in, h, w});
            View src = View.dense(n, in, h, w);
            View srcB = layout(n, in, h, w);
            View dst = View.dense(o);
            View dstB = layout(o[0], o[1], o[2], o[3]);
            long[] weightDims = {out, in, kernel, kernel};
            try {
                toBlocked = made(Kernels.reorder(src, srcB));
                forward = made(Kernels.convolution(srcB, weights, bias ? View.dense(out) : null, dstB, stride,
                        padding, PostOps.none()));
                fromBlocked = made(Kernels.reorder(dstB, dst));
                gradToBlocked = made(Kernels.reorder(dst, dstB));
                backwardData = made(Kernels.convolutionBackwardData(srcB, weights, dstB, stride, padding));
                gradFromBlocked = made(Kernels.reorder(srcB, src));
                backwardWeights = made(Kernels.convolutionBackwardWeights(srcB, weightDims,
                        bias ? View.dense(out) : null, dstB, stride, padding));
                unpackWeights = made(backwardWeights.unpack(Args.DIFF_WEIGHTS, View.dense(weightDims)));
            } catch (RuntimeException e) {
                made.forEach(Primitive::close);
                throw e;
            }
            xBlocked = Nd4j.createUninitialized(DataType.FLOAT, srcB.extent());
            yBlocked = Nd4j.createUninitialized(DataType.FLOAT, dstB.extent());
            y = Nd4j.createUninitialized(DataType.FLOAT, o, 'c');
            dyBlocked = Nd4j.createUninitialized(DataType.FLOAT, dstB.extent());
            dxBlocked = Nd4j.createUninitialized(DataType.FLOAT, srcB.extent());
            dWeightPacked = Nd4j.createUninitialized(DataType.FLOAT, backwardWeights.packedElements(
                    Args.DIFF_WEIGHTS));
        }

        void forward(INDArray x, INDArray b) {
            toBlocked.bind(Args.SRC, x).bind(Args.DST, xBlocked).execute();
            forward.bind(Args.SRC, xBlocked).bind(Args.WEIGHTS, weights).bind(Args.DST, yBlocked);
            if (bias) {
                forward.bind(Args.BIAS, Kernels.dense(b.castTo(DataType.FLOAT)));
            }
            forward.execute();
            fromBlocked.bind(Args.SRC, yBlocked).bind(Args.DST, y).execute();
        }

        void backward(INDArray dy, INDArray dx, INDArray dWeight, INDArray dBias) {
            gradToBlocked.bind(Args.SRC, dy).bind(Args.DST, dyBlocked).execute();
            backwardData.bind(Args.DIFF_DST, dyBlocked).bind(Args.WEIGHTS, weights).bind(Args.DIFF_SRC, dxBlocked)
                    .execute();
            gradFromBlocked.bind(Args.SRC, dxBlocked).bind(Args.DST, dx).execute();
            backwardWeights.bind(Args.SRC, xBlocked).bind(Args.DIFF_DST, dyBlocked)
                    .bindPacked(Args.DIFF_WEIGHTS, dWeightPacked);
            if (bias) {
                backwardWeights.bind(Args.DIFF_BIAS, dBias);
            }
            backwardWeights.execute();
            unpackWeights.bindPacked(Args.SRC, dWeightPacked).bind(Args.DST, dWeight).execute();
        }

        @Override
        public void close() {
            made.forEach(Primitive::close);
        }
    }
}
