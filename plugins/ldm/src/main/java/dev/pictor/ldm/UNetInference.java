package dev.pictor.ldm;

import dev.pictor.api.BadInputException;
import dev.pictor.nn.TimeProfile;
import dev.pictor.nn.inference.GroupNormKernel;
import dev.pictor.nn.inference.KernelProgram;
import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.PackedWeights;
import dev.pictor.nn.onednn.PostOps;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link UNet} for inference on oneDNN kernels: the same parameters (upstream's names) and results as the graph
 * to float32 rounding, an order of magnitude fewer operations. Activations stay channels-last (NHWC) from the first
 * convolution to the last; what the graph spells out as separate operations rides inside the kernels:
 * <ul>
 *   <li>each GroupNorm is one host pass ({@link GroupNormKernel}) with, in a ResNet block, the time embedding's
 *       per-channel addend folded in, and the SiLU after it one oneDNN eltwise call;</li>
 *   <li>residual sums are the convolutions' and products' sum post-op, written onto the shortcut in place;</li>
 *   <li>the time MLP's SiLUs are post-ops, and every block's embedding projection is one product;</li>
 *   <li>a spatial transformer reads the NHWC map as its tokens with no transposition; attention reads heads out of
 *       the fused Q/K/V product through strides; GEGLU is two products, the second multiplying by the first's
 *       GELU as a post-op.</li>
 * </ul>
 * Kernels and buffers are built once per input shape (batch, latent size, context length) and kept for the last
 * {@value #PLANS} shapes, so a sampling loop builds nothing after its first step. Not thread-safe; close it.
 *
 * <pre>{@code
 * try (UNetInference unet = new UNetInference(config, weights)) {
 *     INDArray eps = unet.predict(latents, Nd4j.createFromArray(999f, 999f), context);  // [B, 4, h, w]
 * }
 * }</pre>
 */
public final class UNetInference implements AutoCloseable {
    /** Input shapes whose kernels and buffers are kept. */
    static final int PLANS = 4;

    private record Conv(PackedWeights weight, INDArray bias, long out, int kernel) {
    }

    private record Dense(PackedWeights weight, INDArray bias) {
    }

    /** A GroupNorm, and whether SiLU follows it. */
    private record Norm(GroupNormKernel kernel, boolean silu) {
    }

    private record ResBlock(Norm norm1, Conv conv1, Norm norm2, Conv conv2, Conv skip,
            long in, long out, long embOffset) {
    }

    private record AttentionBlock(INDArray norm1Gain, INDArray norm1Bias, PackedWeights qkv, Dense out1,
            INDArray norm2Gain, INDArray norm2Bias, PackedWeights query2, PackedWeights keyValue2, Dense out2,
            INDArray norm3Gain, INDArray norm3Bias, Dense value, Dense gate, Dense ffOut) {
    }

    private record Transformer(Norm norm, Dense projIn, List<AttentionBlock> blocks, Dense projOut, long inner,
            int heads) {
    }

    private record Down(Conv conv) {
    }

    private record Up(Conv conv) {
    }

    /** One of upstream's {@code input_blocks}, {@code middle_block} or {@code output_blocks}: its layers in order. */
    private record Block(Part part, List<Object> layers) {
    }

    private enum Part { INPUT, MIDDLE, OUTPUT }

    private final UNetConfig config;
    private final Dense time0;
    private final Dense time2;
    private final Dense label0;          // label_emb's two layers, or null without a vector condition
    private final Dense label2;
    private final Dense embeddings;      // every ResNet block's emb_layers.1, side by side
    private final long embeddingWidth;
    private final Conv inputConv;
    /** input_blocks.1…, middle_block, output_blocks.0…, as upstream's forward runs them. */
    private final List<Block> blocks = new ArrayList<>();
    private final Norm outNorm;
    private final Conv outConv;
    private final Map<String, Plan> plans = new LinkedHashMap<>(8, 0.75f, true);
    private TimeProfile profile;
    /** This call's timesteps, read by the plan's time-embedding step. */
    private float[] timesteps;

    /**
     * @param weights the UNet's state dict in upstream's names ({@link StableDiffusionCheckpoint}'s UNet part or a
     *                graph's {@code state()}); copied, later changes are not seen
     */
    public UNetInference(UNetConfig config, Map<String, INDArray> weights) {
        this.config = config;
        Weights w = new Weights(weights);
        this.time0 = w.dense("time_embed.0");
        this.time2 = w.dense("time_embed.2");
        this.label0 = config.admInChannels() > 0 ? w.dense("label_emb.0.0") : null;
        this.label2 = config.admInChannels() > 0 ? w.dense("label_emb.0.2") : null;
        // a scale-shift block's projection gives its scales, then its shifts
        int perChannel = config.useScaleShiftNorm() ? 2 : 1;
        this.inputConv = w.conv("input_blocks.0.0");
        List<INDArray> projections = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        long[] offset = {0};
        java.util.function.BiFunction<String, long[], ResBlock> res = (name, io) -> {
            projections.add(w.get(name + ".emb_layers.1.weight").castTo(DataType.FLOAT));
            biases.add(w.get(name + ".emb_layers.1.bias").castTo(DataType.FLOAT).reshape(perChannel * io[1]));
            ResBlock r = w.resBlock(name, io[0], io[1], offset[0]);
            offset[0] += perChannel * io[1];
            return r;
        };
        // the same walk as UNet.apply
        int mc = config.modelChannels();
        int levels = config.channelMult().size();
        Deque<Long> skips = new ArrayDeque<>();
        skips.push((long) mc);
        long ch = mc;
        int ds = 1;
        int index = 1;
        for (int level = 0; level < levels; level++) {
            long out = (long) mc * config.channelMult().get(level);
            for (int i = 0; i < config.numResBlocks(); i++, index++) {
                String name = "input_blocks." + index;
                List<Object> layers = new ArrayList<>();
                layers.add(res.apply(name + ".0", new long[] {ch, out}));
                ch = out;
                if (config.attentionResolutions().contains(ds)) {
                    layers.add(w.transformer(name + ".1", config.heads(ch)));
                }
                blocks.add(new Block(Part.INPUT, layers));
                skips.push(ch);
            }
            if (level != levels - 1) {
                blocks.add(new Block(Part.INPUT, List.of(new Down(w.conv("input_blocks." + index + ".0.op")))));
                index++;
                skips.push(ch);
                ds *= 2;
            }
        }
        blocks.add(new Block(Part.MIDDLE, List.of(res.apply("middle_block.0", new long[] {ch, ch}),
                w.transformer("middle_block.1", config.heads(ch)),
                res.apply("middle_block.2", new long[] {ch, ch}))));
        index = 0;
        for (int level = levels - 1; level >= 0; level--) {
            long out = (long) mc * config.channelMult().get(level);
            for (int i = 0; i <= config.numResBlocks(); i++, index++) {
                String name = "output_blocks." + index;
                List<Object> layers = new ArrayList<>();
                layers.add(res.apply(name + ".0", new long[] {ch + skips.pop(), out}));
                ch = out;
                int sub = 1;
                if (config.attentionResolutions().contains(ds)) {
                    layers.add(w.transformer(name + "." + sub++, config.heads(ch)));
                }
                if (level > 0 && i == config.numResBlocks()) {
                    layers.add(new Up(w.conv(name + "." + sub + ".conv")));
                    ds /= 2;
                }
                blocks.add(new Block(Part.OUTPUT, layers));
            }
        }
        // every block's time projection in one product: [N, E] × [Σ out, E]ᵀ
        this.embeddingWidth = offset[0];
        this.embeddings = new Dense(PackedWeights.of(Nd4j.concat(0, projections.toArray(INDArray[]::new))),
                Nd4j.concat(0, biases.toArray(INDArray[]::new)).reshape(1, embeddingWidth).dup('c'));
        this.outNorm = w.norm("out.0", UNetConfig.EPS, true);
        this.outConv = w.conv("out.2");
        w.checkAllUsed();
    }

    public UNetConfig config() {
        return config;
    }

    /** Reads the weights, and names what a checkpoint lacks or holds too much of. */
    private static final class Weights {
        final Map<String, INDArray> all;
        final Set<String> used = new java.util.HashSet<>();

        Weights(Map<String, INDArray> all) {
            this.all = all;
        }

        INDArray get(String name) {
            INDArray p = all.get(name);
            if (p == null) {
                throw new BadInputException("UNet weights lack " + name + ": not this config's UNet (or not in"
                        + " upstream's names: read the checkpoint with StableDiffusionCheckpoint)");
            }
            used.add(name);
            return p;
        }

        INDArray vector(String name) {
            INDArray v = get(name);
            return v.castTo(DataType.FLOAT).reshape(v.length()).dup('c');
        }

        Dense dense(String name) {
            INDArray w = get(name + ".weight");
            INDArray b = get(name + ".bias");
            if (w.rank() == 4) {   // a 1×1 convolution applied to tokens
                w = w.reshape(w.size(0), w.size(1));
            }
            return new Dense(PackedWeights.of(w.castTo(DataType.FLOAT)), b.castTo(DataType.FLOAT).reshape(1,
                    b.length()).dup('c'));
        }

        Conv conv(String name) {
            INDArray w = get(name + ".weight").castTo(DataType.FLOAT);
            return new Conv(PackedWeights.ofConvolution(w), vector(name + ".bias"), w.size(0), (int) w.size(2));
        }

        Norm norm(String name, double eps, boolean silu) {
            return new Norm(new GroupNormKernel(UNetConfig.GROUPS, get(name + ".weight"), get(name + ".bias"), eps),
                    silu);
        }

        ResBlock resBlock(String name, long in, long out, long embOffset) {
            return new ResBlock(norm(name + ".in_layers.0", UNetConfig.EPS, true), conv(name + ".in_layers.2"),
                    norm(name + ".out_layers.0", UNetConfig.EPS, true), conv(name + ".out_layers.3"),
                    in == out ? null : conv(name + ".skip_connection"), in, out, embOffset);
        }

        Transformer transformer(String name, int heads) {
            List<AttentionBlock> layers = new ArrayList<>();
            Dense projIn = dense(name + ".proj_in");
            for (int i = 0; all.containsKey(name + ".transformer_blocks." + i + ".norm1.weight"); i++) {
                String b = name + ".transformer_blocks." + i;
                INDArray ff = get(b + ".ff.net.0.proj.weight").castTo(DataType.FLOAT);
                INDArray ffBias = get(b + ".ff.net.0.proj.bias").castTo(DataType.FLOAT);
                long hidden = ff.size(0) / 2;
                layers.add(new AttentionBlock(vector(b + ".norm1.weight"), vector(b + ".norm1.bias"),
                        PackedWeights.of(Nd4j.concat(0, get(b + ".attn1.to_q.weight"), get(b + ".attn1.to_k.weight"),
                                get(b + ".attn1.to_v.weight")).castTo(DataType.FLOAT)),
                        dense(b + ".attn1.to_out.0"), vector(b + ".norm2.weight"), vector(b + ".norm2.bias"),
                        PackedWeights.of(get(b + ".attn2.to_q.weight").castTo(DataType.FLOAT)),
                        PackedWeights.of(Nd4j.concat(0, get(b + ".attn2.to_k.weight"),
                                get(b + ".attn2.to_v.weight")).castTo(DataType.FLOAT)),
                        dense(b + ".attn2.to_out.0"), vector(b + ".norm3.weight"), vector(b + ".norm3.bias"),
                        half(ff, ffBias, 0, hidden), half(ff, ffBias, hidden, 2 * hidden), dense(b + ".ff.net.2")));
            }
            if (layers.isEmpty()) {
                throw new BadInputException("UNet weights lack " + name + ".transformer_blocks.0: not this config's"
                        + " UNet");
            }
            return new Transformer(norm(name + ".norm", 1e-6, false), projIn, layers, dense(name + ".proj_out"),
                    projIn.weight().out(), heads);
        }

        /** Rows {@code from…to} of GEGLU's projection: its value half (first) or its gate half. */
        private static Dense half(INDArray w, INDArray b, long from, long to) {
            var rows = org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
            return new Dense(PackedWeights.of(w.get(rows, org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c')),
                    b.get(rows).reshape(1, to - from).dup('c'));
        }

        void checkAllUsed() {
            for (String name : all.keySet()) {
                if (!used.contains(name)) {
                    throw new BadInputException("UNet weights hold " + name + ", which this config's UNet does not"
                            + " have: a checkpoint for another config");
                }
            }
        }
    }

    /**
     * Predicts the noise in {@code x}.
     *
     * @param x         latents {@code [N, in, h, w]}, h and w divisible by 2^{@link UNetConfig#halvings()}
     * @param timesteps {@code [N]} (fractional ones embed as upstream's sinusoids would)
     * @param context   {@code [N, S, context_dim]}
     * @return {@code [N, out, h, w]}, a new array
     */
    public INDArray predict(INDArray x, INDArray timesteps, INDArray context) {
        return predict(x, timesteps, context, null);
    }

    /**
     * The same with the vector condition {@code [N, adm_in_channels]} (the text's pooled vector) a config with
     * {@link UNetConfig#admInChannels()} needs.
     */
    public INDArray predict(INDArray x, INDArray timesteps, INDArray context, INDArray vector) {
        int halve = 1 << config.halvings();
        if (x.rank() != 4 || x.size(1) != config.inChannels() || x.size(2) % halve != 0 || x.size(3) % halve != 0
                || x.size(2) == 0 || x.size(3) == 0) {
            throw new BadInputException("expected latents [batch, " + config.inChannels() + ", h, w] with h and w"
                    + " multiples of " + halve + ", got " + Arrays.toString(x.shape()));
        }
        int n = (int) x.size(0);
        if (timesteps.length() != n) {
            throw new BadInputException("expected " + n + " timesteps, one per latent, got " + timesteps.length());
        }
        if (context == null || context.rank() != 3 || context.size(0) != n || context.size(2) != config.contextDim()
                || context.size(1) == 0) {
            throw new BadInputException("expected a context [" + n + ", tokens, " + config.contextDim() + "], got "
                    + (context == null ? "none" : Arrays.toString(context.shape())));
        }
        int adm = config.admInChannels();
        if (adm > 0 ? vector == null || vector.rank() != 2 || vector.size(0) != n || vector.size(1) != adm
                : vector != null) {
            throw new BadInputException(adm > 0 ? "expected a vector condition [" + n + ", " + adm + "], got "
                    + (vector == null ? "none" : Arrays.toString(vector.shape())) : "this UNet takes no vector"
                    + " condition (it has no adm_in_channels)");
        }
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int s = (int) context.size(1);
        String key = n + "x" + h + "x" + w + ":" + s;
        Plan plan = plans.get(key);
        if (plan == null) {
            plan = new Plan(n, h, w, s);
            plans.put(key, plan);
            if (plans.size() > PLANS) {
                String eldest = plans.keySet().iterator().next();
                plans.remove(eldest).close();
            }
        }
        this.timesteps = timesteps.castTo(DataType.FLOAT).reshape(n).toFloatVector();
        long start = System.nanoTime();
        plan.latent.assign(x.castTo(DataType.FLOAT).reshape(plan.latent.shape()));
        plan.context.assign(context.castTo(DataType.FLOAT).reshape(plan.context.shape()));
        if (plan.vector != null) {
            plan.vector.assign(vector.castTo(DataType.FLOAT).reshape(plan.vector.shape()));
        }
        if (profile != null) {
            profile.add("input copies", System.nanoTime() - start);
        }
        plan.program.run(profile);
        return plan.result.dup();
    }

    /** An activation: an NHWC buffer of {@code [n, c, h, w]}. */
    private record Act(INDArray buffer, long c, long h, long w) {
        long pixels() {
            return h * w;
        }
    }

    /** One shape's program and the buffers a call fills and reads. */
    private final class Plan implements AutoCloseable {
        final KernelProgram program = new KernelProgram();
        final int n;
        final INDArray latent;    // [N, in, H, W]
        final INDArray context;   // [N, S, ctx]
        final INDArray vector;    // [N, adm], or null
        final INDArray result;    // [N, out, H, W]
        final int contextLength;
        /** Scratch buffers by role: a role's contents live only until its next use in program order. */
        final Map<String, INDArray> scratch = new LinkedHashMap<>();
        final Set<INDArray> shared = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        INDArray embOut;

        Plan(int n, int height, int width, int contextLength) {
            this.n = n;
            this.contextLength = contextLength;
            KernelProgram p = program;
            try {
                latent = Nd4j.createUninitialized(DataType.FLOAT, n, config.inChannels(), height, width);
                context = Nd4j.createUninitialized(DataType.FLOAT, n, contextLength, config.contextDim());
                vector = config.admInChannels() > 0
                        ? Nd4j.createUninitialized(DataType.FLOAT, n, config.admInChannels()) : null;
                result = Nd4j.createUninitialized(DataType.FLOAT, n, config.outChannels(), height, width);
                timeEmbedding();
                Act in = new Act(p.buffer((long) n * height * width * config.inChannels()), config.inChannels(),
                        height, width);
                p.kernel("layout", Kernels.reorder(View.dense(n, in.c(), height, width), nhwc(in)))
                        .bind(Args.SRC, latent).bind(Args.DST, in.buffer());
                Act h = conv(in, inputConv, 1, fresh(n * in.pixels() * inputConv.out()), PostOps.none());
                Deque<Act> skips = new ArrayDeque<>();
                push(skips, h);
                for (Block block : blocks) {
                    if (block.part() == Part.OUTPUT) {
                        h = concat(h, skips.pop());
                    }
                    for (Object layer : block.layers()) {
                        if (layer instanceof ResBlock r) {
                            h = resBlock(h, r);
                        } else if (layer instanceof Transformer t) {
                            transformer(h, t);
                        } else if (layer instanceof Down d) {
                            h = conv(h, d.conv(), 2, fresh(n * (h.h() / 2) * (h.w() / 2) * d.conv().out()),
                                    PostOps.none());
                        } else if (layer instanceof Up u) {
                            h = upsample(h, u.conv());
                        }
                    }
                    if (block.part() == Part.INPUT) {
                        push(skips, h);
                    }
                }
                INDArray normed = scratch("normed", n * h.pixels() * h.c());
                groupNorm(outNorm, h, null, 0, normed);
                Act out = conv(new Act(normed, h.c(), h.h(), h.w()), outConv, 1, scratch("hidden",
                        n * h.pixels() * outConv.out()), PostOps.none());
                p.kernel("layout", Kernels.reorder(nhwc(out), View.dense(n, out.c(), height, width)))
                        .bind(Args.SRC, out.buffer()).bind(Args.DST, result);
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
        }

        @Override
        public void close() {
            program.close();
        }

        private void push(Deque<Act> skips, Act a) {
            skips.push(a);
            shared.add(a.buffer());
        }

        private INDArray fresh(long elements) {
            return program.buffer(elements);
        }

        private INDArray scratch(String role, long elements) {
            INDArray b = scratch.get(role);
            if (b == null || b.length() < elements) {
                b = program.buffer(elements);
                scratch.put(role, b);
                shared.add(b);
            }
            return b;
        }

        /** Sinusoids of the timesteps, the time MLP (SiLUs as post-ops) and every block's projection of it. */
        private void timeEmbedding() {
            int mc = config.modelChannels();
            long e = config.timeEmbedDim();
            INDArray sinusoids = program.buffer((long) n * mc);
            var embedding = UNet.timestepEmbedding(config);
            float[] row = new float[n * mc];
            program.host("time embedding", () -> {
                embedding.embed(timesteps, row);
                sinusoids.data().asNioFloat().put(0, row);
            });
            INDArray hidden = program.buffer(n * e);
            INDArray activated = program.buffer(n * e);
            embOut = program.buffer(n * embeddingWidth);
            PostOps silu = PostOps.none().then(PostOps.Eltwise.SILU);
            linear("time embedding", sinusoids, time0, hidden, n, silu);
            if (label0 == null) {
                // SiLU(emb) is all the blocks read of the embedding: the second SiLU rides here too
                linear("time embedding", hidden, time2, activated, n, silu);
            } else {
                // emb = time_embed(t) + label_emb(y), then the blocks' SiLU
                linear("time embedding", hidden, time2, activated, n, PostOps.none());
                INDArray label = program.buffer(n * e);
                linear("label embedding", vector, label0, label, n, silu);
                linear("label embedding", label, label2, activated, n, PostOps.none().accumulate());
                program.kernel("silu", Kernels.eltwise(View.dense(n * e), PostOps.Eltwise.SILU))
                        .bind(Args.SRC, activated).bind(Args.DST, activated);
            }
            linear("time embedding", activated, embeddings, embOut, n, PostOps.none());
        }

        private Primitive linear(String name, INDArray src, Dense d, INDArray dst, long rows, PostOps post) {
            long in = d.weight().in();
            long out = d.weight().out();
            Primitive k = program.kernel(name, Kernels.linear(View.dense(rows, in), d.weight(),
                    d.bias() == null ? null : View.dense(1, out), View.dense(rows, out), post));
            k.bind(Args.SRC, src).bind(Args.WEIGHTS, d.weight()).bind(Args.DST, dst);
            if (d.bias() != null) {
                k.bind(Args.BIAS, d.bias());
            }
            return k;
        }

        private Act conv(Act x, Conv c, int stride, INDArray dst, PostOps post) {
            long oh = (x.h() - 1) / stride + 1;
            long ow = (x.w() - 1) / stride + 1;
            Act out = new Act(dst, c.out(), oh, ow);
            program.kernel(stride == 1 ? "convolution" : "downsample", Kernels.convolution(nhwc(x), c.weight(),
                    View.dense(c.out()), nhwc(out), stride, c.kernel() / 2, post)).bind(Args.SRC, x.buffer())
                    .bind(Args.WEIGHTS, c.weight()).bind(Args.BIAS, c.bias()).bind(Args.DST, dst);
            return out;
        }

        private View nhwc(Act a) {
            return View.channelsLast(n, a.c(), a.h(), a.w());
        }

        /** [h, skip] along channels, into a scratch buffer. */
        private Act concat(Act h, Act skip) {
            long total = h.c() + skip.c();
            INDArray cat = scratch("concat", n * h.pixels() * total);
            for (Act part : List.of(h, skip)) {
                View slice = View.of(new long[] {n, part.c(), h.h(), h.w()}, new long[] {h.pixels() * total, 1,
                        h.w() * total, total});
                program.kernel("concat", Kernels.reorder(nhwc(part), slice)).bind(Args.SRC, part.buffer())
                        .bind(Args.DST, cat, part == h ? 0 : h.c());
            }
            return new Act(cat, total, h.h(), h.w());
        }

        private Act resBlock(Act x, ResBlock r) {
            long hw = x.pixels();
            INDArray normed = scratch("normed", n * hw * r.in());
            groupNorm(r.norm1(), x, null, 0, normed);
            INDArray hidden = scratch("hidden", n * hw * r.out());
            conv(new Act(normed, r.in(), x.h(), x.w()), r.conv1(), 1, hidden, PostOps.none());
            INDArray normed2 = scratch("normed", n * hw * r.out());
            groupNorm(r.norm2(), new Act(hidden, r.out(), x.h(), x.w()), embOut, r.embOffset(), normed2,
                    config.useScaleShiftNorm());
            INDArray dst;
            if (r.skip() != null) {
                dst = fresh(n * hw * r.out());
                conv(x, r.skip(), 1, dst, PostOps.none());
            } else if (shared.contains(x.buffer())) {
                dst = fresh(n * hw * r.out());
                long elements = n * hw * r.out();
                program.host("copy", () -> Kernels.copy(x.buffer(), 0, dst, 0, elements));
            } else {
                dst = x.buffer();
            }
            return conv(new Act(normed2, r.out(), x.h(), x.w()), r.conv2(), 1, dst, PostOps.none().accumulate());
        }

        private Act upsample(Act x, Conv conv) {
            Act up = new Act(scratch("upsampled", n * x.pixels() * 4 * x.c()), x.c(), 2 * x.h(), 2 * x.w());
            // Nearest 2×: four copies of the map, each into every other pixel of every other row of the result
            // (reorders into strided views). oneDNN 2.5's resampling kernel on channels-last data crashed here
            // intermittently (a 256-channel 16 → 32 map), reading out of bounds.
            long c = x.c();
            long w2 = up.w();
            View quarter = View.of(new long[] {n, c, x.h(), x.w()}, new long[] {up.pixels() * c, 1, 2 * w2 * c, 2 * c});
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    program.kernel("upsample", Kernels.reorder(nhwc(x), quarter)).bind(Args.SRC, x.buffer())
                            .bind(Args.DST, up.buffer(), (dy * w2 + dx) * c);
                }
            }
            return conv(up, conv, 1, fresh(n * up.pixels() * conv.out()), PostOps.none());
        }


        /** A spatial transformer on {@code x}, its result written onto {@code x} (the residual, in place). */
        private void transformer(Act x, Transformer t) {
            long l = x.pixels();
            long rows = n * l;
            long inner = t.inner();
            int heads = t.heads();
            long d = inner / heads;
            long s = contextLength;
            INDArray normed = scratch("normed", rows * x.c());
            groupNorm(t.norm(), x, null, 0, normed);
            INDArray tokens = scratch("tokens", rows * inner);
            linear("proj_in", normed, t.projIn(), tokens, rows, PostOps.none());
            INDArray ln = scratch("layernorm", rows * inner);
            INDArray qkv = scratch("qkv", rows * 3 * inner);
            INDArray scores = scratch("scores", n * heads * l * Math.max(l, s));
            INDArray attended = scratch("attended", rows * inner);
            INDArray query = scratch("query", rows * inner);
            INDArray keyValue = scratch("keyvalue", n * s * 2 * inner);
            INDArray gate = scratch("gate", rows * t.blocks().get(0).gate().weight().out());
            INDArray gated = scratch("gated", rows * t.blocks().get(0).gate().weight().out());
            PostOps scaled = PostOps.none().scale((float) (1 / Math.sqrt(d)));
            for (AttentionBlock b : t.blocks()) {
                layerNorm(tokens, ln, rows, inner, b.norm1Gain(), b.norm1Bias());
                linear("attention projections", ln, new Dense(b.qkv(), null), qkv, rows, PostOps.none());
                attention(qkv, 0, 3 * inner, qkv, inner, qkv, 2 * inner, 3 * inner, l, l, heads, d, scores,
                        attended, scaled);
                linear("attention output", attended, b.out1(), tokens, rows, PostOps.none().accumulate());
                layerNorm(tokens, ln, rows, inner, b.norm2Gain(), b.norm2Bias());
                linear("attention projections", ln, new Dense(b.query2(), null), query, rows, PostOps.none());
                linear("attention projections", context, new Dense(b.keyValue2(), null), keyValue, n * s,
                        PostOps.none());
                attention(query, 0, inner, keyValue, 0, keyValue, inner, 2 * inner, l, s, heads, d, scores, attended,
                        scaled);
                linear("attention output", attended, b.out2(), tokens, rows, PostOps.none().accumulate());
                layerNorm(tokens, ln, rows, inner, b.norm3Gain(), b.norm3Bias());
                long hidden = b.gate().weight().out();
                linear("feed-forward", ln, b.gate(), gate, rows, PostOps.none().gelu());
                linear("feed-forward", ln, b.value(), gated, rows, PostOps.none().multiply(View.dense(rows, hidden)))
                        .bind(Args.postOp(0), gate);
                linear("feed-forward", gated, b.ffOut(), tokens, rows, PostOps.none().accumulate());
            }
            linear("proj_out", tokens, t.projOut(), x.buffer(), rows, PostOps.none().accumulate());
        }

        /** {@code dst = norm(x + add)}, then SiLU in place if the norm has one; {@code add} rows of the embeddings. */
        private void groupNorm(Norm norm, Act x, INDArray add, long addOffset, INDArray dst) {
            groupNorm(norm, x, add, addOffset, dst, false);
        }

        /** The same, or with {@code scaleShift} {@code dst = norm(x)·(1 + scale) + shift} from the embeddings. */
        private void groupNorm(Norm norm, Act x, INDArray add, long addOffset, INDArray dst, boolean scaleShift) {
            program.host("groupnorm", () -> {
                if (scaleShift) {
                    norm.kernel().applyScaleShift(x.buffer(), add, addOffset, embeddingWidth, dst, n, x.pixels());
                } else {
                    norm.kernel().apply(x.buffer(), add, addOffset, embeddingWidth, dst, n, x.pixels());
                }
            });
            if (norm.silu()) {
                program.kernel("silu", Kernels.eltwise(View.dense(n * x.pixels() * x.c()), PostOps.Eltwise.SILU))
                        .bind(Args.SRC, dst).bind(Args.DST, dst);
            }
        }

        private void layerNorm(INDArray src, INDArray dst, long rows, long width, INDArray gain, INDArray bias) {
            program.kernel("layer norm", Kernels.layerNorm(View.dense(rows, width), 1e-5f)).bind(Args.SRC, src)
                    .bind(Args.DST, dst).bind(Args.SCALE, gain).bind(Args.SHIFT, bias);
        }

        /**
         * softmax(Q Kᵀ / √d) V per image and head; Q rows of {@code qStride} elements in {@code q} from
         * {@code qOffset}, keys and values rows of {@code kvStride} in their buffers; the result {@code [N, L,
         * heads·d]}, heads interleaved as the output projection reads them.
         */
        private void attention(INDArray q, long qOffset, long qStride, INDArray k, long kOffset, INDArray v,
                long vOffset, long kvStride, long l, long s, int heads, long d, INDArray scores, INDArray out,
                PostOps scaled) {
            View queries = View.of(new long[] {n, heads, l, d}, new long[] {l * qStride, d, qStride, 1});
            View keysT = View.of(new long[] {n, heads, d, s}, new long[] {s * kvStride, d, 1, kvStride});
            View values = View.of(new long[] {n, heads, s, d}, new long[] {s * kvStride, d, kvStride, 1});
            View scoreView = View.dense(n, heads, l, s);
            long inner = heads * d;
            program.kernel("attention scores", Kernels.matmul(queries, keysT, null, scoreView, scaled))
                    .bind(Args.SRC, q, qOffset).bind(Args.WEIGHTS, k, kOffset).bind(Args.DST, scores);
            program.kernel("softmax", Kernels.softmax(scoreView, 3)).bind(Args.SRC, scores).bind(Args.DST, scores);
            program.kernel("attention context", Kernels.matmul(scoreView, values, null, View.of(new long[] {n, heads,
                    l, d}, new long[] {l * inner, d, inner, 1}), PostOps.none())).bind(Args.SRC, scores)
                    .bind(Args.WEIGHTS, v, vOffset).bind(Args.DST, out);
        }
    }

    /** Starts (or, with false, stops) timing every step; {@link #profile()} sums the time per kind of step. */
    public void profile(boolean on) {
        profile = on ? new TimeProfile() : null;
    }

    /** Per kind of step: {total ns, calls}, most expensive first; empty when not profiling. */
    public Map<String, long[]> profile() {
        return profile == null ? new LinkedHashMap<>() : profile.snapshot();
    }

    /** Kernel and host steps per call at the most recent shape (for tests and the benchmark's report). */
    int steps() {
        Plan last = null;
        for (Plan p : plans.values()) {
            last = p;
        }
        return last == null ? 0 : last.program.size();
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();
    }
}
