package dev.pictor.clip;

import static dev.pictor.clip.ClipTextInference.param;

import dev.pictor.api.BadInputException;
import dev.pictor.clip.ClipConfig.ModifiedResNet;
import dev.pictor.nn.TimeProfile;
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
 * CLIP's ModifiedResNet image tower on oneDNN convolution kernels: the same parameters and results as
 * {@link ClipModel#image} with a ResNet config (to float32 rounding). Activations sit in oneDNN's channel-blocked
 * layout (16-channel blocks and Winograd 3×3 convolutions with AVX-512, 8-channel blocks below it; chosen by
 * measurement, see the constructor). Each BatchNorm is folded into the convolution
 * before it (a scale on the weights and a bias, computed once); the ReLUs, the residual sums and the biases ride in
 * the convolutions' post-ops; the anti-aliasing average pools are oneDNN pooling kernels. Kernels and activation
 * buffers are built once per batch size (the last {@value #PLANS} sizes are kept), so steady traffic builds nothing.
 * The attention pool runs on oneDNN matrix products too, in an order that skips its keys and values (see
 * {@link Pool}). Not thread-safe; close it.
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
    private final INDArray positions;     // [1 + grid², C]
    private final PackedWeights queryWeight;
    private final INDArray queryBias;
    private final INDArray keyWeight;     // [heads, d, C]: W_k's rows per head
    private final INDArray valueWeight;   // [heads, C, d]: W_v's rows per head, transposed
    private final PackedWeights outputWeight;
    private final INDArray outputBias;    // b_c + W_c b_v
    private final Map<Integer, Plan> plans = new LinkedHashMap<>(8, 0.75f, true);
    private TimeProfile profile;
    private final int block;
    private static final String POOL = "attnpool";

    public ClipResNetInference(ClipConfig config, Map<String, INDArray> params) {
        // Measured on RN50 (BENCHMARKS.md): with AVX-512, 16-channel blocks with Winograd 3×3 convolutions are 9%
        // (batch 1) to 27% (batch 32) ahead of oneDNN's brgemm kernels on channels-last maps, themselves ahead of
        // its direct kernels on blocks; below AVX-512 there is neither, and 8-channel blocks are 8% ahead of
        // channels-last.
        this(config, params, OneDnn.hasAvx512() ? 16 : 8);
    }

    /**
     * @param block 0 for channels-last activations, else channels per block: 8, or 16 (3×3 convolutions by
     *              Winograd's method where oneDNN has a kernel for them)
     */
    ClipResNetInference(ClipConfig config, Map<String, INDArray> params, int block) {
        this.block = block;
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
        long width = param(params, "visual.attnpool.k_proj.weight").size(1);
        this.queryWeight = PackedWeights.of(param(params, "visual.attnpool.q_proj.weight"));
        this.queryBias = vector(params, "visual.attnpool.q_proj.bias");
        long[] perHead = {r.heads(), width / r.heads(), width};
        this.keyWeight = param(params, "visual.attnpool.k_proj.weight").castTo(DataType.FLOAT).reshape('c', perHead)
                .dup('c');
        this.valueWeight = param(params, "visual.attnpool.v_proj.weight").castTo(DataType.FLOAT)
                .reshape('c', perHead).permute(0, 2, 1).dup('c');
        INDArray cProj = param(params, "visual.attnpool.c_proj.weight");
        this.outputWeight = PackedWeights.of(cProj);
        INDArray valueBias = param(params, "visual.attnpool.v_proj.bias").castTo(DataType.DOUBLE);
        this.outputBias = param(params, "visual.attnpool.c_proj.bias").castTo(DataType.DOUBLE)
                .reshape(cProj.size(0)).add(cProj.castTo(DataType.DOUBLE).mmul(valueBias.reshape(width, 1))
                        .reshape(cProj.size(0))).castTo(DataType.FLOAT).dup('c');
    }

    private static INDArray vector(Map<String, INDArray> params, String name) {
        INDArray v = param(params, name);
        return v.castTo(DataType.FLOAT).reshape(v.length()).dup('c');
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

    static View nhwc(long n, long c, long h, long w) {
        return View.channelsLast(n, c, h, w);
    }

    /** The layout of the activations between kernels: channels-last, or in channel blocks of {@link #block}. */
    View act(long n, long c, long h) {
        return block == 0 ? nhwc(n, c, h, h) : View.channelBlocked(n, c, h, h, block);
    }

    private static final PostOps RELU = PostOps.none().then(PostOps.Eltwise.RELU);

    /** One step of a plan: a kernel, the buffers it reads and writes, and the folded convolution it runs if any. */
    private record Step(String name, Primitive kernel, Conv conv, int src, int dst) {
    }

    /** Kernels and buffers for one batch size. */
    private final class Plan implements AutoCloseable {
        // buffer roles: 0 input (NCHW), 1/2 the maps between blocks, 3 conv1, 4 conv2, 5 pooled conv2 (or the
        // channels-last input), 6 pooled input
        static final int INPUT = 0;
        final List<Step> steps = new ArrayList<>();
        final List<INDArray> buffers = new ArrayList<>();
        final long[] sizes = new long[7];
        final int outBuffer;
        final long channels;
        final long grid;
        /** The last map to channels-last tokens, its output bound per call. */
        final Primitive tokens;
        final Pool pool;

        Plan(int n) {
            long h = rn.imageSize();
            long c = 3;
            int cur = INPUT;
            View in = View.dense(n, 3, h, h);
            sizes[INPUT] = in.extent();
            if (block == 0) {
                // oneDNN's convolutions from NCHW into channels-last are slow reference code: reorder first
                add("input to channels-last", Kernels.reorder(in, nhwc(n, 3, h, h)), null, INPUT, 5);
                need(5, in.extent());
                in = nhwc(n, 3, h, h);
                cur = 5;
            }
            int[] stemOut = {3, 4, 1};
            for (int i = 0; i < 3; i++) {
                Conv s = stem[i];
                long oh = (h + 2L * s.padding() - s.kernel()) / s.stride() + 1;
                View out = act(n, s.out(), oh);
                add("stem conv" + (i + 1), Kernels.convolution(i == 0 ? in : act(n, c, h), s.weight(),
                        View.dense(s.out()), out, s.stride(), s.padding(), RELU), s, cur, stemOut[i]);
                need(stemOut[i], out.extent());
                cur = stemOut[i];
                c = s.out();
                h = oh;
            }
            // the stem's average pool 2, into the first block's input
            add("stem avgpool", Kernels.averagePool(act(n, c, h), act(n, c, h / 2), 2), null, cur, 2);
            h /= 2;
            need(2, act(n, c, h).extent());
            cur = 2;
            int b = 0;
            for (int stage = 1; stage <= 4; stage++) {
                for (int i = 0; i < rn.layers().get(stage - 1); i++, b++) {
                    Block block = blocks.get(b);
                    cur = block(n, stage, block, cur, c, h);
                    c = block.conv3().out();
                    h /= block.stride();
                }
            }
            outBuffer = cur;
            channels = c;
            grid = h;
            tokens = Kernels.reorder(act(n, c, h), nhwc(n, c, h, h));
            pool = new Pool(n, c, h * h);
            for (long size : sizes) {
                buffers.add(Nd4j.createUninitialized(DataType.FLOAT, Math.max(1, size)));
            }
        }

        /** Adds one bottleneck block reading buffer {@code cur}; returns the buffer holding its output. */
        private int block(int n, int stage, Block b, int cur, long c, long h) {
            String name = "layer" + stage + " ";
            long planes = b.conv1().out();
            add(name + "conv1", conv(n, b.conv1(), c, h, h, RELU), b.conv1(), cur, 3);
            need(3, act(n, planes, h).extent());
            add(name + "conv2", conv(n, b.conv2(), planes, h, h, RELU), b.conv2(), 3, 4);
            need(4, act(n, planes, h).extent());
            long oh = h / b.stride();
            int mid = 4;
            if (b.stride() > 1) {
                add(name + "avgpool", Kernels.averagePool(act(n, planes, h), act(n, planes, oh), b.stride()), null, 4,
                        5);
                need(5, act(n, planes, oh).extent());
                mid = 5;
            }
            // The shortcut: the input itself, or its downsampled copy in the other stage buffer. conv3 adds its
            // result onto it in place (oneDNN's sum post-op: its brgemm kernels refuse a binary add, and fall back to
            // slower ones).
            int shortcut = cur;
            if (b.downsample() != null) {
                int src = cur;
                if (b.stride() > 1) {
                    add(name + "avgpool", Kernels.averagePool(act(n, c, h), act(n, c, oh), b.stride()), null, cur, 6);
                    need(6, act(n, c, oh).extent());
                    src = 6;
                }
                shortcut = 3 - cur;
                add(name + "downsample", conv(n, b.downsample(), c, oh, oh, PostOps.none()), b.downsample(), src,
                        shortcut);
                need(shortcut, act(n, b.downsample().out(), oh).extent());
            }
            add(name + "conv3", conv(n, b.conv3(), planes, oh, oh, PostOps.none().accumulate().then(
                    PostOps.Eltwise.RELU)), b.conv3(), mid, shortcut);
            return shortcut;
        }

        private void need(int role, long elements) {
            sizes[role] = Math.max(sizes[role], elements);
        }

        private Primitive conv(int n, Conv k, long inC, long h, long oh, PostOps post) {
            return Kernels.convolution(act(n, inC, h), k.weight(), View.dense(k.out()), act(n, k.out(), oh),
                    k.stride(), k.padding(), post, block == 16);
        }

        private void add(String name, Primitive p, Conv conv, int src, int dst) {
            steps.add(new Step(name, p, conv, src, dst));
        }

        /** Runs the network on the input buffer; the result is in {@link #outBuffer}. */
        void run() {
            for (Step s : steps) {
                Primitive p = s.kernel();
                p.bind(Args.SRC, buffers.get(s.src())).bind(Args.DST, buffers.get(s.dst()));
                if (s.conv() != null) {
                    p.bind(Args.WEIGHTS, s.conv().weight()).bind(Args.BIAS, s.conv().bias());
                }
                p.execute(profile, s.name());
            }
        }

        @Override
        public void close() {
            steps.forEach(s -> s.kernel().close());
            tokens.close();
            pool.close();
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
        long start = System.nanoTime();
        Nd4j.create(plan.buffers.get(0).data(), new long[] {n, 3, r, r}).assign(pixels);
        if (profile != null) {
            profile.add("input copy", System.nanoTime() - start);
        }
        plan.run();
        long c = plan.channels;
        long hw = plan.grid * plan.grid;
        INDArray tokens = Nd4j.createUninitialized(DataType.FLOAT, n, hw, c);
        plan.tokens.bind(Args.SRC, plan.buffers.get(plan.outBuffer)).bind(Args.DST, tokens).execute(profile,
                "tokens");
        return new Result(tokens, plan.pool.run(tokens));
    }

    /**
     * Upstream's attention pool on oneDNN kernels for one batch size: the mean token, prepended to the map,
     * positions added to all, is the only query; every token is a key and a value. Computed in an order that never
     * forms the keys and values: with one query per head, {@code q·(W_k x + b_k) = (W_kᵀq)·x + q·b_k}, and the last
     * term is the same for every token, so the softmax drops it; and {@code Σ p (W_v x + b_v) = W_v (Σ p x) + b_v},
     * the weights summing to 1. That replaces two {@code [B·(HW+1), C] × [C, C]} products, a tenth of RN50's work,
     * with two of {@code [B, C] × [C, C]}. Same result to float rounding. {@code b_v} goes into the output
     * projection's bias ({@code W_c (y + b_v) + b_c}): oneDNN has no fast kernel for a bias per head.
     */
    private final class Pool implements AutoCloseable {
        final int n;
        final long c;
        final INDArray seq;      // [B, L, C]: the mean token then the map, positions added
        final INDArray q;        // [B, C]
        final INDArray u;        // [heads, B, C]: W_k[h]ᵀ q[h] / √d
        final INDArray scores;   // [B, heads, L]
        final INDArray mean;     // [B, heads, C]: the attention-weighted mean token per head
        final INDArray context;  // [B, C]: the mean token first, then the pooled value
        final List<Primitive> kernels = new ArrayList<>();
        final Primitive tokensIn;
        final Primitive meanIn;
        final Primitive firstIn;
        final Primitive positionsIn;
        final Primitive queryK;
        final Primitive keyK;
        final Primitive scoreK;
        final Primitive softmaxK;
        final Primitive meanK;
        final Primitive valueK;
        final Primitive outputK;

        Pool(int n, long c, long hw) {
            this.n = n;
            this.c = c;
            long l = hw + 1;
            int heads = rn.heads();
            long d = c / heads;
            seq = Nd4j.createUninitialized(DataType.FLOAT, n, l, c);
            q = Nd4j.createUninitialized(DataType.FLOAT, n, c);
            u = Nd4j.createUninitialized(DataType.FLOAT, heads, n, c);
            scores = Nd4j.createUninitialized(DataType.FLOAT, n, heads, l);
            mean = Nd4j.createUninitialized(DataType.FLOAT, n, heads, c);
            context = Nd4j.createUninitialized(DataType.FLOAT, n, c);
            // seq = [mean of the tokens, tokens] + positions: copies into place, then one dense add (oneDNN's adds
            // into strided results are reference code, ~100× slower)
            View rest = View.of(new long[] {n, hw, c}, new long[] {l * c, c, 1});
            tokensIn = keep(Kernels.reorder(View.dense(n, hw, c), rest));
            long grid = Math.round(Math.sqrt(hw));
            meanIn = keep(Kernels.averagePool(nhwc(n, c, grid, grid), nhwc(n, c, 1, 1), (int) grid));
            firstIn = keep(Kernels.reorder(View.dense(n, 1, c), View.of(new long[] {n, 1, c},
                    new long[] {l * c, c, 1})));
            positionsIn = keep(Kernels.add(View.dense(n, l, c), View.dense(1, l, c), View.dense(n, l, c)));
            queryK = keep(Kernels.linear(View.of(new long[] {n, c}, new long[] {l * c, 1}), queryWeight,
                    View.dense(1, c), View.dense(n, c), PostOps.none()));
            keyK = keep(Kernels.matmul(View.of(new long[] {heads, n, d}, new long[] {d, c, 1}), View.dense(heads, d, c),
                    null, View.dense(heads, n, c), PostOps.none().scale((float) (1 / Math.sqrt(d)))));
            scoreK = keep(Kernels.matmul(View.of(new long[] {n, heads, c}, new long[] {c, n * c, 1}),
                    View.of(new long[] {n, c, l}, new long[] {l * c, 1, c}), null, View.dense(n, heads, l),
                    PostOps.none()));
            softmaxK = keep(Kernels.softmax(View.dense(n, heads, l), 2));
            meanK = keep(Kernels.matmul(View.dense(n, heads, l), View.dense(n, l, c), null, View.dense(n, heads, c),
                    PostOps.none()));
            valueK = keep(Kernels.matmul(View.of(new long[] {heads, n, c}, new long[] {c, heads * c, 1}),
                    View.dense(heads, c, d), null, View.of(new long[] {heads, n, d}, new long[] {d, c, 1}),
                    PostOps.none()));
            outputK = keep(Kernels.linear(View.dense(n, c), outputWeight, View.dense(1, outputWeight.out()),
                    View.dense(n, outputWeight.out()), PostOps.none()));
        }

        private Primitive keep(Primitive p) {
            kernels.add(p);
            return p;
        }

        /** The pooled projection {@code [B, embed]} of the map {@code tokens [B, HW, C]}. */
        INDArray run(INDArray tokens) {
            tokensIn.bind(Args.SRC, tokens).bind(Args.DST, seq, c).execute(profile, POOL + " tokens");
            meanIn.bind(Args.SRC, tokens).bind(Args.DST, context).execute(profile, POOL + " mean");
            firstIn.bind(Args.SRC, context).bind(Args.DST, seq).execute(profile, POOL + " mean");
            positionsIn.bind(Args.SRC, seq).bind(Args.SRC_1, positions).bind(Args.DST, seq)
                    .execute(profile, POOL + " positions");
            queryK.bind(Args.SRC, seq).bind(Args.WEIGHTS, queryWeight).bind(Args.BIAS, queryBias).bind(Args.DST, q)
                    .execute(profile, POOL + " query");
            keyK.bind(Args.SRC, q).bind(Args.WEIGHTS, keyWeight).bind(Args.DST, u).execute(profile, POOL + " key");
            scoreK.bind(Args.SRC, u).bind(Args.WEIGHTS, seq).bind(Args.DST, scores).execute(profile, POOL + " scores");
            softmaxK.bind(Args.SRC, scores).bind(Args.DST, scores).execute(profile, POOL + " softmax");
            meanK.bind(Args.SRC, scores).bind(Args.WEIGHTS, seq).bind(Args.DST, mean)
                    .execute(profile, POOL + " weighted mean");
            valueK.bind(Args.SRC, mean).bind(Args.WEIGHTS, valueWeight).bind(Args.DST, context)
                    .execute(profile, POOL + " value");
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, outputWeight.out());
            outputK.bind(Args.SRC, context).bind(Args.WEIGHTS, outputWeight).bind(Args.BIAS, outputBias)
                    .bind(Args.DST, out).execute(profile, POOL + " output");
            return out;
        }

        @Override
        public void close() {
            kernels.forEach(Primitive::close);
        }
    }

    /** Starts (or, with false, stops) timing every kernel call; {@link #profile()} sums the time per stage. */
    public void profile(boolean on) {
        profile = on ? new TimeProfile() : null;
    }

    /** Per name: {total ns, calls}, most expensive first; empty when not profiling. */
    public Map<String, long[]> profile() {
        return profile == null ? new LinkedHashMap<>() : profile.snapshot();
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();

    }
}
