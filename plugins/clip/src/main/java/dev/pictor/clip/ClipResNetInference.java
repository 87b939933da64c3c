package dev.pictor.clip;

import static dev.pictor.clip.ClipTextInference.param;

import dev.pictor.api.BadInputException;
import dev.pictor.clip.ClipConfig.ModifiedResNet;
import dev.pictor.nn.inference.RowKernels;
import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
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
 * CLIP's ModifiedResNet image tower on oneDNN convolution kernels, channels-last: the same parameters and results as
 * {@link ClipModel#image} with a ResNet config (to float32 rounding). Each BatchNorm is folded into the convolution
 * before it (a scale on the weights and a bias, computed once); the ReLUs, the residual sums and the biases ride in
 * the convolutions' post-ops; the anti-aliasing average pools are oneDNN pooling kernels. Kernels and activation
 * buffers are built once per batch size (the last {@value #PLANS} sizes are kept), so steady traffic builds nothing.
 * Attention pooling runs on {@link RowKernels} and a small loop. Not thread-safe; close it.
 *
 * <pre>{@code
 * try (ClipResNetInference rn = new ClipResNetInference(ClipConfig.RN50, weights)) {
 *     INDArray vectors = rn.encode(pixels).projected();   // [B, 3, 224, 224] → [B, 1024]
 * }
 * }</pre>
 */
public final class ClipResNetInference implements AutoCloseable {
    /** Batch sizes whose kernels and buffers are kept. */
    static final int PLANS = 4;

    /** One batch's outputs: the last stage's map as tokens {@code [B, H·W, C]} and the pooled projection. */
    public record Result(INDArray tokens, INDArray projected) {
    }

    /** A convolution with its BatchNorm folded in. */
    private record Conv(PackedWeights weight, INDArray bias, int kernel, int stride, int padding, long out) {
    }

    private record Block(Conv conv1, Conv conv2, Conv conv3, Conv downsample, int stride) {
    }

    private final ClipConfig config;
    private final ModifiedResNet rn;
    private final Conv[] stem;
    private final List<Block> blocks = new ArrayList<>();
    private final INDArray positions;   // [1 + grid², C]
    private final RowKernels.Linear query;
    private final RowKernels.Linear key;
    private final RowKernels.Linear value;
    private final RowKernels.Linear output;
    private final Map<Integer, Plan> plans = new LinkedHashMap<>(8, 0.75f, true);

    public ClipResNetInference(ClipConfig config, Map<String, INDArray> params) {
        if (!(config.vision() instanceof ModifiedResNet r)) {
            throw new IllegalArgumentException("this engine runs a ModifiedResNet; the config has a ViT");
        }
        this.config = config;
        this.rn = r;
        this.stem = new Conv[] {fold(params, "visual.conv1", "visual.bn1", 2, 1), fold(params, "visual.conv2",
                "visual.bn2", 1, 1), fold(params, "visual.conv3", "visual.bn3", 1, 1)};
        long inplanes = r.width();
        for (int stage = 0; stage < 4; stage++) {
            long planes = (long) r.width() << stage;
            for (int b = 0; b < r.layers().get(stage); b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                String p = "visual.layer" + (stage + 1) + "." + b;
                Conv down = stride > 1 || inplanes != planes * 4 ? fold(params, p + ".downsample.0", p + ".downsample.1",
                        1, 0) : null;
                blocks.add(new Block(fold(params, p + ".conv1", p + ".bn1", 1, 0), fold(params, p + ".conv2",
                        p + ".bn2", 1, 1), fold(params, p + ".conv3", p + ".bn3", 1, 0), down, stride));
                inplanes = planes * 4;
            }
        }
        this.positions = param(params, "visual.attnpool.positional_embedding").castTo(DataType.FLOAT).dup('c');
        this.query = RowKernels.linear(param(params, "visual.attnpool.q_proj.weight"),
                param(params, "visual.attnpool.q_proj.bias"));
        this.key = RowKernels.linear(param(params, "visual.attnpool.k_proj.weight"),
                param(params, "visual.attnpool.k_proj.bias"));
        this.value = RowKernels.linear(param(params, "visual.attnpool.v_proj.weight"),
                param(params, "visual.attnpool.v_proj.bias"));
        this.output = RowKernels.linear(param(params, "visual.attnpool.c_proj.weight"),
                param(params, "visual.attnpool.c_proj.bias"));
    }

    /** {@code conv} then {@code bn} (eval) as one convolution: W·s and β − μ·s with s = γ/√(σ² + ε). */
    private static Conv fold(Map<String, INDArray> params, String conv, String bn, int stride, int padding) {
        INDArray w = param(params, conv + ".weight").castTo(DataType.DOUBLE);
        INDArray gamma = param(params, bn + ".weight").castTo(DataType.DOUBLE);
        INDArray beta = param(params, bn + ".bias").castTo(DataType.DOUBLE);
        INDArray mean = param(params, bn + ".running_mean").castTo(DataType.DOUBLE);
        INDArray var = param(params, bn + ".running_var").castTo(DataType.DOUBLE);
        INDArray scale = gamma.div(org.nd4j.linalg.ops.transforms.Transforms.sqrt(var.add(1e-5), false));
        long out = w.size(0);
        INDArray scaled = w.reshape(out, -1).mulColumnVector(scale.reshape(out, 1)).reshape(w.shape());
        INDArray bias = beta.sub(mean.mul(scale)).castTo(DataType.FLOAT).dup('c');
        return new Conv(PackedWeights.ofConvolution(scaled.castTo(DataType.FLOAT)), bias, (int) w.size(2), stride,
                padding, out);
    }

    public ClipConfig config() {
        return config;
    }

    /** Channels-last storage of {@code [n, c, h, w]}, as a view oneDNN reads. */
    static View nhwc(long n, long c, long h, long w) {
        return View.of(new long[] {n, c, h, w}, new long[] {h * w * c, 1, w * c, c});
    }

    /** One step of a plan: a kernel and the buffers it reads and writes. */
    private record Step(Primitive kernel, Conv conv, int src, int dst, int residual) {
    }

    /** Kernels and buffers for one batch size. */
    private final class Plan implements AutoCloseable {
        final List<Step> steps = new ArrayList<>();
        final List<INDArray> buffers = new ArrayList<>();
        final long[] sizes;
        final int outBuffer;
        final long channels;
        final long grid;

        Plan(int n) {
            // buffer roles: 0 input, 1/2 block in/out, 3 conv1, 4 conv2, 5 pooled conv2, 6 pooled input, 7 shortcut
            sizes = new long[8];
            long h = rn.imageSize();
            long c = 3;
            int cur = 0;
            int next = 1;
            sizes[0] = n * 3L * h * h;
            int[] stemOut = {3, 4, next};
            for (int i = 0; i < 3; i++) {
                Conv s = stem[i];
                long oh = (h + 2L * s.padding() - s.kernel()) / s.stride() + 1;
                add(conv(n, s, c, h, oh, PostOps.none().then(PostOps.Eltwise.RELU)), s, cur, stemOut[i], -1);
                need(stemOut[i], n * s.out() * oh * oh);
                cur = stemOut[i];
                c = s.out();
                h = oh;
            }
            // the stem's average pool 2, into the first block's input
            int blockIn = 2;
            add(Kernels.averagePool(nhwc(n, c, h, h), nhwc(n, c, h / 2, h / 2), 2), null, cur, blockIn, -1);
            h /= 2;
            need(blockIn, n * c * h * h);
            cur = blockIn;
            for (Block b : blocks) {
                int out = cur == 1 ? 2 : 1;
                long planes = b.conv1().out();
                add(conv(n, b.conv1(), c, h, h, PostOps.none().then(PostOps.Eltwise.RELU)), b.conv1(), cur, 3, -1);
                need(3, n * planes * h * h);
                add(conv(n, b.conv2(), planes, h, h, PostOps.none().then(PostOps.Eltwise.RELU)), b.conv2(), 3, 4,
                        -1);
                need(4, n * planes * h * h);
                long oh = h / b.stride();
                int mid = 4;
                if (b.stride() > 1) {
                    add(Kernels.averagePool(nhwc(n, planes, h, h), nhwc(n, planes, oh, oh), b.stride()), null, 4, 5, -1);
                    need(5, n * planes * oh * oh);
                    mid = 5;
                }
                int shortcut = cur;
                if (b.downsample() != null) {
                    int src = cur;
                    if (b.stride() > 1) {
                        add(Kernels.averagePool(nhwc(n, c, h, h), nhwc(n, c, oh, oh), b.stride()), null, cur, 6, -1);
                        need(6, n * c * oh * oh);
                        src = 6;
                    }
                    add(conv(n, b.downsample(), c, oh, oh, PostOps.none()), b.downsample(), src, 7, -1);
                    need(7, n * b.downsample().out() * oh * oh);
                    shortcut = 7;
                }
                long outC = b.conv3().out();
                View residual = nhwc(n, outC, oh, oh);
                add(conv(n, b.conv3(), planes, oh, oh, PostOps.none().add(residual).then(PostOps.Eltwise.RELU)),
                        b.conv3(), mid, out, shortcut);
                need(out, n * outC * oh * oh);
                cur = out;
                c = outC;
                h = oh;
            }
            outBuffer = cur;
            channels = c;
            grid = h;
            for (long size : sizes) {
                buffers.add(Nd4j.createUninitialized(DataType.FLOAT, Math.max(1, size)));
            }
        }

        private void need(int role, long elements) {
            sizes[role] = Math.max(sizes[role], elements);
        }

        private Primitive conv(int n, Conv k, long inC, long h, long oh, PostOps post) {
            return Kernels.convolution(nhwc(n, inC, h, h), k.weight(), View.dense(k.out()), nhwc(n, k.out(), oh, oh),
                    k.stride(), k.padding(), post);
        }

        private void add(Primitive p, Conv conv, int src, int dst, int residual) {
            steps.add(new Step(p, conv, src, dst, residual));
        }

        /** Runs the network on the input buffer; the result is in {@link #outBuffer}. */
        void run() {
            for (Step s : steps) {
                Primitive p = s.kernel();
                p.bind(Args.SRC, buffers.get(s.src())).bind(Args.DST, buffers.get(s.dst()));
                if (s.conv() != null) {
                    p.bind(Args.WEIGHTS, s.conv().weight()).bind(Args.BIAS, s.conv().bias());
                }
                if (s.residual() >= 0) {
                    p.bind(Args.postOp(0), buffers.get(s.residual()));
                }
                p.execute();
            }
        }

        @Override
        public void close() {
            steps.forEach(s -> s.kernel().close());
        }
    }

    /** Encodes normalised images {@code [B, 3, R, R]}. */
    public Result encode(INDArray pixels) {
        int r = rn.imageSize();
        if (pixels.rank() != 4 || pixels.size(1) != 3 || pixels.size(2) != r || pixels.size(3) != r) {
            throw new BadInputException("expected images [batch, 3, " + r + ", " + r + "], got "
                    + java.util.Arrays.toString(pixels.shape()) + ": resize them to the model's " + r + " pixels");
        }
        int n = (int) pixels.size(0);
        Plan plan = plans.get(n);
        if (plan == null) {
            plan = new Plan(n);
            plans.put(n, plan);
            if (plans.size() > PLANS) {
                Integer eldest = plans.keySet().iterator().next();
                plans.remove(eldest).close();
            }
        }
        // NCHW → NHWC into the input buffer
        Nd4j.create(plan.buffers.get(0).data(), new long[] {n, r, r, 3})
                .assign(pixels.castTo(DataType.FLOAT).permute(0, 2, 3, 1));
        plan.run();
        long c = plan.channels;
        long hw = plan.grid * plan.grid;
        INDArray tokens = Nd4j.create(plan.buffers.get(plan.outBuffer).data(), new long[] {n, hw, c}).dup('c');
        return new Result(tokens, attentionPool(tokens, n, hw, c));
    }

    /** The mean token, prepended with positions added, asks the map: queries from it alone. */
    private INDArray attentionPool(INDArray tokens, int n, long hw, long c) {
        long length = hw + 1;
        INDArray seq = Nd4j.createUninitialized(DataType.FLOAT, n, length, c);
        seq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, length),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(tokens);
        seq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(tokens.mean(1));
        Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp(seq, positions, seq, 1, 2));
        INDArray rows = seq.reshape('c', n * length, c);
        float[] k = key.apply(rows).data().asFloat();
        float[] v = value.apply(rows).data().asFloat();
        INDArray first = seq.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
        float[] q = query.apply(first).data().asFloat();
        int heads = rn.heads();
        int d = (int) (c / heads);
        double scale = 1 / Math.sqrt(d);
        float[] context = new float[(int) (n * c)];
        double[] scores = new double[(int) length];
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < heads; h++) {
                int qBase = (int) (b * c + h * d);
                double max = Double.NEGATIVE_INFINITY;
                for (int l = 0; l < length; l++) {
                    int kBase = (int) ((b * length + l) * c + h * d);
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += q[qBase + j] * k[kBase + j];
                    }
                    scores[l] = dot * scale;
                    max = Math.max(max, scores[l]);
                }
                double sum = 0;
                for (int l = 0; l < length; l++) {
                    scores[l] = Math.exp(scores[l] - max);
                    sum += scores[l];
                }
                for (int l = 0; l < length; l++) {
                    double p = scores[l] / sum;
                    int vBase = (int) ((b * length + l) * c + h * d);
                    for (int j = 0; j < d; j++) {
                        context[qBase + j] += (float) (p * v[vBase + j]);
                    }
                }
            }
        }
        return output.apply(Nd4j.create(context, new long[] {n, c}, 'c'));
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();
        query.close();
        key.close();
        value.close();
        output.close();
    }
}
