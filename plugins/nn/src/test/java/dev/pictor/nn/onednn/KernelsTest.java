package dev.pictor.nn.onednn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.nn.Fixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Each oneDNN kernel against the same maths in ND4J (float64), and the checks that keep bad bindings in Java. */
class KernelsTest {
    @BeforeAll
    static void oneDnnLoads() {
        // The build ships oneDNN's linux-x86_64 natives: there it must load (a failure, not a skip).
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").matches("amd64|x86_64"), "oneDNN natives are shipped for linux-x86_64");
        assertThat(OneDnn.available()).as(String.valueOf(OneDnn.unavailableReason())).isTrue();
        assertThat(OneDnn.describe()).startsWith("oneDNN 2.");
        Nd4j.getRandom().setSeed(3);
    }

    /** {@code x Wᵀ + b} in float64. */
    private static INDArray linear(INDArray x, INDArray w, INDArray b) {
        return x.castTo(DataType.DOUBLE).mmul(w.castTo(DataType.DOUBLE).transpose())
                .addRowVector(b.castTo(DataType.DOUBLE));
    }

    @Test
    void linearWithPackedWeightsFusedGeluAndResidual() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 64);
        INDArray w = Nd4j.randn(DataType.FLOAT, 96, 64);
        INDArray b = Nd4j.randn(DataType.FLOAT, 1, 96);
        INDArray r = Nd4j.randn(DataType.FLOAT, 5, 96);
        PackedWeights packed = PackedWeights.of(w);
        assertThat(packed.in()).isEqualTo(64);
        assertThat(packed.out()).isEqualTo(96);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 96);
        try (Primitive plain = Kernels.linear(View.dense(5, 64), packed, View.dense(1, 96), View.dense(5, 96),
                PostOps.none())) {
            plain.bind(Args.SRC, x).bind(Args.WEIGHTS, packed).bind(Args.BIAS, b).bind(Args.DST, y).execute();
            Fixture.assertClose(y, linear(x, w, b), "linear");
        }
        try (Primitive gelu = Kernels.linear(View.dense(5, 64), packed, View.dense(1, 96), View.dense(5, 96),
                PostOps.none().gelu().add(View.dense(5, 96)))) {
            gelu.bind(Args.SRC, x).bind(Args.WEIGHTS, packed).bind(Args.BIAS, b).bind(Args.DST, y)
                    .bind(Args.postOp(1), r).execute();
            INDArray z = linear(x, w, b);
            INDArray expected = z.mul(Nd4j.getExecutioner().exec(new Erf(z.div(Math.sqrt(2)))).add(1)).mul(0.5)
                    .add(r.castTo(DataType.DOUBLE));
            Fixture.assertClose(y, expected, "linear + exact GELU + residual");
        }
    }

    @Test
    void weightsHeldInAnotherLayoutAreRepackedOnceForTheKernel() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 128);
        INDArray w = Nd4j.randn(DataType.FLOAT, 256, 128);
        INDArray b = Nd4j.zeros(DataType.FLOAT, 1, 256);
        // Held column-major ([in, out] with strides [1, in]), a layout no matmul kernel asks for.
        PackedWeights plainRows = PackedWeights.inLayout(w, View.transposed(128, 256));
        assertThat(plainRows.layouts()).isEqualTo(1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 3, 256);
        try (Primitive p = Kernels.linear(View.dense(3, 128), plainRows, View.dense(1, 256), View.dense(3, 256),
                PostOps.none())) {
            p.bind(Args.SRC, x).bind(Args.WEIGHTS, plainRows).bind(Args.BIAS, b).bind(Args.DST, y).execute();
            p.bind(Args.WEIGHTS, plainRows).execute();
        }
        // The kernel wants its own layout: one repack, kept for the second bind.
        assertThat(plainRows.layouts()).isEqualTo(2);
        Fixture.assertClose(y, linear(x, w, b), "linear after repacking");
    }

    @Test
    void stridedBatchedProductWithScaleAndBroadcastAdd() {
        // [2, 3, 4] × [2, 4, 5]ᵀ-strided, scaled, plus a [2, 1, 5] row broadcast over the middle dimension.
        INDArray a = Nd4j.randn(DataType.FLOAT, 2, 3, 4);
        INDArray bt = Nd4j.randn(DataType.FLOAT, 2, 5, 4);
        INDArray add = Nd4j.randn(DataType.FLOAT, 2, 1, 5);
        INDArray out = Nd4j.zeros(DataType.FLOAT, 2, 3, 5);
        try (Primitive p = Kernels.matmul(View.dense(2, 3, 4), View.of(new long[] {2, 4, 5}, new long[] {20, 1, 4}),
                null, View.dense(2, 3, 5), PostOps.none().scale(0.5f).add(View.dense(2, 1, 5)))) {
            p.bind(Args.SRC, a).bind(Args.WEIGHTS, bt).bind(Args.DST, out).bind(Args.postOp(0), add).execute();
        }
        for (int i = 0; i < 2; i++) {
            INDArray expected = a.slice(i).castTo(DataType.DOUBLE).mmul(bt.slice(i).castTo(DataType.DOUBLE).transpose())
                    .mul(0.5).addRowVector(add.slice(i).castTo(DataType.DOUBLE).reshape(5));
            Fixture.assertClose(out.slice(i), expected, "batched strided product");
        }
    }

    /**
     * A 3×3 convolution (pad 1) with an accumulated residual and ReLU, in float64 loops: {@code relu(conv(x) + b + r)}
     * as {@code [n, o, h, w]}.
     */
    private static INDArray convolutionResidualRelu(INDArray x, INDArray w, INDArray b, INDArray r) {
        long n = x.size(0);
        long in = x.size(1);
        long h = x.size(2);
        long out = w.size(0);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, out, h, h);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < h; xx++) {
                        double sum = b.getDouble(o) + r.getDouble(i, o, yy, xx);
                        for (int c = 0; c < in; c++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int sy = yy + ky - 1;
                                    int sx = xx + kx - 1;
                                    if (sy >= 0 && sy < h && sx >= 0 && sx < h) {
                                        sum += x.getDouble(i, c, sy, sx) * w.getDouble(o, c, ky, kx);
                                    }
                                }
                            }
                        }
                        y.putScalar(new long[] {i, o, yy, xx}, Math.max(0, sum));
                    }
                }
            }
        }
        return y;
    }

    /**
     * {@code relu(conv3×3(x) + b + r)} on oneDNN with the activations in {@code block}-channel blocks (0:
     * channels-last): x and the residual reordered in, the result accumulated onto the residual, reordered back to
     * NCHW.
     */
    private static INDArray convolveInLayout(INDArray x, INDArray w, INDArray b, INDArray r, int block,
            boolean winograd) {
        long n = x.size(0);
        long in = x.size(1);
        long out = w.size(0);
        long h = x.size(2);
        View src = block == 0 ? channelsLast(n, in, h) : View.channelBlocked(n, in, h, h, block);
        View dst = block == 0 ? channelsLast(n, out, h) : View.channelBlocked(n, out, h, h, block);
        INDArray source = Nd4j.zeros(DataType.FLOAT, src.extent());
        INDArray target = Nd4j.zeros(DataType.FLOAT, dst.extent());
        INDArray result = Nd4j.zeros(DataType.FLOAT, n, out, h, h);
        PackedWeights packed = PackedWeights.ofConvolution(w);
        try (Primitive toSrc = Kernels.reorder(View.dense(n, in, h, h), src);
                Primitive toDst = Kernels.reorder(View.dense(n, out, h, h), dst);
                Primitive conv = Kernels.convolution(src, packed, View.dense(out), dst, 1, 1,
                        PostOps.none().accumulate().then(PostOps.Eltwise.RELU), winograd);
                Primitive back = Kernels.reorder(dst, View.dense(n, out, h, h))) {
            toSrc.bind(Args.SRC, x).bind(Args.DST, source).execute();
            toDst.bind(Args.SRC, r).bind(Args.DST, target).execute();   // the residual, where the result goes
            conv.bind(Args.SRC, source).bind(Args.WEIGHTS, packed).bind(Args.BIAS, b).bind(Args.DST, target)
                    .execute();
            back.bind(Args.SRC, target).bind(Args.DST, result).execute();
        }
        return result;
    }

    @Test
    void convolutionAccumulatesOntoItsOutputInEveryActivationLayout() {
        // 12 and 20 channels: neither a whole number of 8- or 16-channel blocks, so the padding is exercised
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 12, 5, 5);
        INDArray w = Nd4j.randn(DataType.FLOAT, 20, 12, 3, 3).muli(0.3);
        INDArray b = Nd4j.randn(DataType.FLOAT, 20);
        INDArray r = Nd4j.randn(DataType.FLOAT, 2, 20, 5, 5);
        INDArray expected = convolutionResidualRelu(x, w, b, r);
        for (int block : new int[] {0, 8, 16}) {
            Fixture.assertClose(convolveInLayout(x, w, b, r, block, false), expected,
                    "convolution + residual + ReLU, channel block " + block);
        }
        assertThat(View.channelBlocked(2, 12, 5, 5, 16).extent()).isEqualTo(2 * 16 * 5 * 5);
        assertThatThrownBy(() -> Kernels.reorder(View.dense(2, 12, 5, 5), View.dense(2, 12, 5, 4)))
                .hasMessageContaining("sizes differ");
    }

    @Test
    void winogradConvolutionMatchesTheDirectOneOrFallsBackToIt() {
        // 32 channels in 16-channel blocks, 3×3, stride 1: a shape oneDNN's Winograd kernels take on AVX-512 (below
        // it the same call builds the direct kernel)
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 32, 14, 14);
        INDArray w = Nd4j.randn(DataType.FLOAT, 32, 32, 3, 3).muli(0.1);
        INDArray b = Nd4j.randn(DataType.FLOAT, 32);
        INDArray r = Nd4j.randn(DataType.FLOAT, 2, 32, 14, 14);
        Fixture.assertClose(convolveInLayout(x, w, b, r, 16, true), convolutionResidualRelu(x, w, b, r),
                "Winograd convolution + residual + ReLU");
    }

    private static View channelsLast(long n, long c, long h) {
        return View.channelsLast(n, c, h, h);
    }

    @Test
    void linearTimesAnotherTensorAsAPostOpIsAGatedUnit() {
        // GEGLU's second half: (x Wᵀ + b) · g, g read as a post-op operand
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 32);
        INDArray w = Nd4j.randn(DataType.FLOAT, 48, 32);
        INDArray b = Nd4j.randn(DataType.FLOAT, 1, 48);
        INDArray gate = Nd4j.randn(DataType.FLOAT, 4, 48);
        PackedWeights packed = PackedWeights.of(w);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 48);
        try (Primitive p = Kernels.linear(View.dense(4, 32), packed, View.dense(1, 48), View.dense(4, 48),
                PostOps.none().multiply(View.dense(4, 48)))) {
            p.bind(Args.SRC, x).bind(Args.WEIGHTS, packed).bind(Args.BIAS, b).bind(Args.DST, y)
                    .bind(Args.postOp(0), gate).execute();
        }
        Fixture.assertClose(y, linear(x, w, b).mul(gate.castTo(DataType.DOUBLE)), "linear × gate");
    }

    @Test
    void layerNormSoftmaxAndAddMatchNd4j() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 10).muli(3).addi(1);
        INDArray gain = Nd4j.rand(DataType.FLOAT, 10);
        INDArray bias = Nd4j.randn(DataType.FLOAT, 10);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 10);
        try (Primitive ln = Kernels.layerNorm(View.dense(6, 10), 1e-5f)) {
            ln.bind(Args.SRC, x).bind(Args.DST, y).bind(Args.SCALE, gain).bind(Args.SHIFT, bias).execute();
        }
        INDArray d = x.castTo(DataType.DOUBLE);
        INDArray centred = d.subColumnVector(d.mean(1).reshape(6, 1));
        INDArray variance = centred.mul(centred).mean(1).reshape(6, 1);
        INDArray normed = centred.divColumnVector(Transforms.sqrt(variance.add(1e-5)))
                .mulRowVector(gain.castTo(DataType.DOUBLE)).addRowVector(bias.castTo(DataType.DOUBLE));
        Fixture.assertClose(y, normed, "layer norm");

        INDArray s = x.dup();
        try (Primitive softmax = Kernels.softmax(View.dense(6, 10), 1)) {
            softmax.bind(Args.SRC, s).bind(Args.DST, s).execute();
        }
        INDArray e = Transforms.exp(d.subColumnVector(d.max(1).reshape(6, 1)));
        Fixture.assertClose(s, e.divColumnVector(e.sum(1).reshape(6, 1)), "softmax");

        INDArray row = Nd4j.randn(DataType.FLOAT, 1, 10);
        INDArray sum = Nd4j.zeros(DataType.FLOAT, 6, 10);
        try (Primitive add = Kernels.add(View.dense(6, 10), View.dense(1, 10), View.dense(6, 10))) {
            add.bind(Args.SRC, x).bind(Args.SRC_1, row).bind(Args.DST, sum).execute();
        }
        Fixture.assertClose(sum, d.addRowVector(row.castTo(DataType.DOUBLE)), "broadcast add");
    }

    @Test
    void gatherRowsCopiesTheRowsAskedFor() {
        INDArray table = Nd4j.arange(20).castTo(DataType.FLOAT).reshape(5, 4);
        INDArray out = Nd4j.zeros(DataType.FLOAT, 3, 4);
        Kernels.gatherRows(table, new long[] {4, 0, 4}, out);
        assertThat(out.getRow(0)).isEqualTo(table.getRow(4));
        assertThat(out.getRow(1)).isEqualTo(table.getRow(0));
        assertThat(out.getRow(2)).isEqualTo(table.getRow(4));
        assertThatThrownBy(() -> Kernels.gatherRows(table, new long[] {5}, out))
                .hasMessageContaining("row 5 is outside the table's 5 rows");
        assertThatThrownBy(() -> Kernels.gatherRows(table, new long[] {0, 1, 2, 3}, out))
                .hasMessageContaining("at least 16 elements");
    }

    @Test
    void badBindingsFailInJavaWithTheSlotNamed() {
        try (Primitive add = Kernels.add(View.dense(2, 3), View.dense(2, 3), View.dense(2, 3))) {
            INDArray ok = Nd4j.zeros(DataType.FLOAT, 2, 3);
            assertThatThrownBy(() -> add.bind(Args.SRC, Nd4j.zeros(DataType.DOUBLE, 2, 3)))
                    .hasMessageContaining("needs float32");
            assertThatThrownBy(() -> add.bind(Args.SRC, Nd4j.zeros(DataType.FLOAT, 5)))
                    .hasMessageContaining("the array holds 5 elements");
            assertThatThrownBy(() -> add.bind(Args.SRC, ok, 1)).hasMessageContaining("from element 1");
            assertThatThrownBy(() -> add.bind(Args.SRC, Nd4j.zeros(DataType.FLOAT, 4, 3).getRow(1)))
                    .hasMessageContaining("not a view");
            assertThatThrownBy(() -> add.bind(Args.WEIGHTS, ok)).hasMessageContaining("no argument slot");
            add.bind(Args.SRC, ok).bind(Args.SRC_1, ok);
            assertThatThrownBy(add::execute).hasMessageContaining("never bound");
        }
        assertThatThrownBy(() -> Kernels.add(View.dense(2, 3), View.dense(4, 3), View.dense(2, 3)))
                .hasMessageContaining("does not broadcast to [2, 3]");
        assertThatThrownBy(() -> View.of(new long[] {2, 3}, new long[] {1})).hasMessageContaining("same, non-zero rank");
    }

    /** {@code device cpu(n)} reaches oneDNN: OpenMP's per-thread count is set on the thread that runs a kernel. */
    @Test
    void theDeviceThreadCountReachesTheKernelsOnEveryThread() throws Exception {
        dev.pictor.api.device.Backends.activate(dev.pictor.api.device.Device.cpu(1));
        try {
            int[] seen = new int[1];
            Thread worker = new Thread(() -> {
                try (Primitive add = Kernels.add(View.dense(2, 3), View.dense(2, 3), View.dense(2, 3))) {
                    INDArray a = Nd4j.ones(DataType.FLOAT, 2, 3);
                    add.bind(Args.SRC, a).bind(Args.SRC_1, a).bind(Args.DST, a).execute();
                    seen[0] = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
                }
            });
            worker.start();
            worker.join();
            assertThat(seen[0]).isEqualTo(1);
        } finally {
            dev.pictor.api.device.Backends.activate(dev.pictor.api.device.Device.cpu(0));
        }
        assertThat(dev.pictor.api.device.Backends.cpuThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
