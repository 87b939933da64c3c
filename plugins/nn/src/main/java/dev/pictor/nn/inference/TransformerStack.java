package dev.pictor.nn.inference;

import dev.pictor.nn.Graph;
import dev.pictor.nn.TimeProfile;
import dev.pictor.nn.layers.AttentionNames;
import dev.pictor.nn.layers.TransformerBlock;
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
 * A stack of {@link TransformerBlock}s for inference on fused oneDNN kernels: nine kernel calls per layer instead
 * of the graph's ~110 ops. Q, K and V come from one product with the three weights side by side; attention reads
 * heads straight out of that buffer through strides and writes its context back already interleaved; the bias,
 * the activation, the residual sum and the attention mask ride along inside the products. The same parameters
 * (and names) as the graph layers; the same results to float32 rounding (tested against the graph and, through
 * BERT, ONNX Runtime).
 *
 * <p>Kernels are built once per (batch, length, mask kind) and kept for the last {@value #PLANS} of them, so a
 * first call at a new shape costs a few milliseconds more (oneDNN's own primitive cache makes rebuilding an evicted
 * shape cheaper still). The activations live in one workspace shared by every shape, as large as the largest call
 * so far (grown by half again when outgrown): texts of varied length — what users send — neither allocate fresh
 * native buffers nor evict each other's kernels. Not thread-safe: one stack per thread. Requires
 * {@link dev.pictor.nn.onednn.OneDnn#available()}.
 *
 * <pre>{@code
 * var block = new TransformerBlock(384, 12, 1536, Activation.GELU, TransformerBlock.Norm.POST, 1e-12,
 *         TransformerBlock.Names.BERT);
 * try (var stack = TransformerStack.of(block, TransformerStack.prefixes("encoder.layer", 6), graph.state())) {
 *     INDArray h = stack.run(x, mask, false);   // [B, T, 384], valid until the next run
 * }
 * }</pre>
 */
public final class TransformerStack implements AutoCloseable {
    /** How many shapes keep their kernels (kernels only: the buffers are one shared workspace). */
    public static final int PLANS = 64;
    static final float MASKED = -1e9f;

    private final TransformerBlock block;
    private final List<LayerWeights> layers;
    private final Map<String, Plan> plans = new LinkedHashMap<>(16, 0.75f, true);
    private final Workspace workspace = new Workspace();
    private TimeProfile profile;

    private record LayerWeights(PackedWeights qkvWeight, INDArray qkvBias, PackedWeights outWeight, INDArray outBias,
            INDArray norm1Gain, INDArray norm1Bias, PackedWeights fc1Weight, INDArray fc1Bias, PackedWeights fc2Weight,
            INDArray fc2Bias, INDArray norm2Gain, INDArray norm2Bias) {
    }

    private TransformerStack(TransformerBlock block, List<LayerWeights> layers) {
        this.block = block;
        this.layers = layers;
    }

    /** {@code "encoder.layer.0"}, …, {@code "encoder.layer.<n-1>"}. */
    public static List<String> prefixes(String stem, int n) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(Graph.join(stem, String.valueOf(i)));
        }
        return p;
    }

    /**
     * Copies the layers' parameters out of {@code params} (names as {@link TransformerBlock} gives them under each
     * prefix): later changes to {@code params} are not seen.
     */
    public static TransformerStack of(TransformerBlock block, List<String> layerPrefixes, Map<String, INDArray> params) {
        if (block.dim() % block.heads() != 0) {
            throw new IllegalArgumentException("width " + block.dim() + " is not a multiple of " + block.heads() + " heads");
        }
        if (layerPrefixes.isEmpty()) {
            throw new IllegalArgumentException("a transformer stack needs at least one layer");
        }
        TransformerBlock.Names n = block.names();
        AttentionNames a = n.attention();
        List<LayerWeights> layers = new ArrayList<>();
        for (String p : layerPrefixes) {
            checkShapes(block, params, p);
            INDArray qkvWeight = Nd4j.concat(0, weight(params, p, a.query(), "weight").castTo(DataType.FLOAT),
                    weight(params, p, a.key(), "weight").castTo(DataType.FLOAT),
                    weight(params, p, a.value(), "weight").castTo(DataType.FLOAT));
            INDArray qkvBias = Nd4j.concat(0, weight(params, p, a.query(), "bias"), weight(params, p, a.key(), "bias"),
                    weight(params, p, a.value(), "bias"));
            layers.add(new LayerWeights(PackedWeights.of(qkvWeight), row(qkvBias),
                    PackedWeights.of(weight(params, p, a.output(), "weight")),
                    row(weight(params, p, a.output(), "bias")), copy(weight(params, p, n.norm1(), "weight")),
                    copy(weight(params, p, n.norm1(), "bias")), PackedWeights.of(weight(params, p, n.mlpIn(), "weight")),
                    row(weight(params, p, n.mlpIn(), "bias")), PackedWeights.of(weight(params, p, n.mlpOut(), "weight")),
                    row(weight(params, p, n.mlpOut(), "bias")), copy(weight(params, p, n.norm2(), "weight")),
                    copy(weight(params, p, n.norm2(), "bias"))));
        }
        return new TransformerStack(block, List.copyOf(layers));
    }

    /**
     * Every parameter of one layer under {@code prefix}, with the shape the graph layer creates: what a checkpoint
     * must hold for it.
     */
    public static Map<String, long[]> parameterShapes(TransformerBlock block, String prefix) {
        long c = block.dim();
        long f = block.hidden();
        TransformerBlock.Names n = block.names();
        AttentionNames a = n.attention();
        Map<String, long[]> want = new LinkedHashMap<>();
        for (String projection : List.of(a.query(), a.key(), a.value(), a.output())) {
            want.put(Graph.join(prefix, projection + ".weight"), new long[] {c, c});
            want.put(Graph.join(prefix, projection + ".bias"), new long[] {c});
        }
        want.put(Graph.join(prefix, n.mlpIn() + ".weight"), new long[] {f, c});
        want.put(Graph.join(prefix, n.mlpIn() + ".bias"), new long[] {f});
        want.put(Graph.join(prefix, n.mlpOut() + ".weight"), new long[] {c, f});
        want.put(Graph.join(prefix, n.mlpOut() + ".bias"), new long[] {c});
        for (String norm : List.of(n.norm1(), n.norm2())) {
            want.put(Graph.join(prefix, norm + ".weight"), new long[] {c});
            want.put(Graph.join(prefix, norm + ".bias"), new long[] {c});
        }
        return want;
    }

    /** So a wrong checkpoint fails here with names, not inside oneDNN. */
    private static void checkShapes(TransformerBlock block, Map<String, INDArray> params, String p) {
        parameterShapes(block, p).forEach((name, shape) -> {
            INDArray w = params.get(name);
            if (w == null) {
                throw new IllegalArgumentException("no parameter " + name + " for the transformer stack");
            }
            if (!java.util.Arrays.equals(w.shape(), shape)) {
                throw new IllegalArgumentException("parameter " + name + " has shape "
                        + java.util.Arrays.toString(w.shape()) + " but this block needs "
                        + java.util.Arrays.toString(shape) + ": the weights are for another size of layer");
            }
        });
    }

    private static INDArray weight(Map<String, INDArray> params, String prefix, String part, String kind) {
        String name = Graph.join(Graph.join(prefix, part), kind);
        INDArray w = params.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no parameter " + name + " for the transformer stack");
        }
        return w;
    }

    private static INDArray copy(INDArray v) {
        return v.castTo(DataType.FLOAT).dup('c');
    }

    private static INDArray row(INDArray v) {
        return v.castTo(DataType.FLOAT).reshape(1, v.length()).dup('c');
    }

    public int layers() {
        return layers.size();
    }

    /**
     * Runs every layer.
     *
     * @param x      {@code [B, T, dim]} hidden states
     * @param mask   {@code [B, T]}, 1 for tokens, 0 for padding; or null
     * @param causal whether position t attends only to positions ≤ t
     * @return {@code [B, T, dim]}, an array of this stack's, overwritten by the next run
     */
    public INDArray run(INDArray x, INDArray mask, boolean causal) {
        if (x.rank() != 3 || x.size(2) != block.dim()) {
            throw new IllegalArgumentException("expected hidden states [batch, length, " + block.dim() + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        int batch = (int) x.size(0);
        int length = (int) x.size(1);
        float[] additive = additiveMask(mask, batch, length);
        String kind = additive == null ? (causal ? "causal" : "none") : (causal ? "padded-causal" : "padded");
        String key = batch + "x" + length + ":" + kind;
        return plan(key, () -> new Plan(batch, length, 0, additive != null, causal)).run(x, additive, null);
    }

    private Plan plan(String key, java.util.function.Supplier<Plan> make) {
        Plan plan = plans.get(key);
        if (plan == null) {
            plan = make.get();
            plans.put(key, plan);
            while (plans.size() > PLANS) {
                String eldest = plans.keySet().iterator().next();
                plans.remove(eldest).close();
            }
        }
        return plan;
    }

    /**
     * Opens an incremental causal decoding session for {@code batch} sequences of up to {@code maxLength}
     * positions: each layer's keys and values are kept in a cache, so feeding n new positions computes only those
     * n rows (attention reads the cache) instead of the whole prefix again. Results equal {@link #run} with
     * {@code causal} on the whole sequence so far, to float32 rounding.
     */
    public Session session(int batch, int maxLength) {
        if (batch < 1 || maxLength < 1) {
            throw new IllegalArgumentException("a session needs batch >= 1 and maxLength >= 1");
        }
        return new Session(batch, maxLength);
    }

    /**
     * One batch's key/value cache: {@code [batch, maxLength, dim]} keys and values per layer. Not thread-safe, and
     * it shares the stack's workspace: use one session (or run) at a time per stack.
     *
     * <pre>{@code
     * try (TransformerStack.Session s = stack.session(2, 256)) {
     *     INDArray h = s.feed(prefixStates);   // [2, p, dim]
     *     h = s.feed(nextStates);              // [2, 1, dim]: attends to all p + 1 positions
     * }
     * }</pre>
     */
    public final class Session implements AutoCloseable {
        final int batch;
        final int maxLength;
        final INDArray[] keys;
        final INDArray[] values;
        int length;

        private Session(int batch, int maxLength) {
            this.batch = batch;
            this.maxLength = maxLength;
            keys = new INDArray[layers.size()];
            values = new INDArray[layers.size()];
            for (int i = 0; i < layers.size(); i++) {
                keys[i] = Nd4j.zeros(DataType.FLOAT, batch, maxLength, block.dim());
                values[i] = Nd4j.zeros(DataType.FLOAT, batch, maxLength, block.dim());
            }
        }

        /** Positions fed so far. */
        public int length() {
            return length;
        }

        /**
         * Appends {@code [batch, n, dim]} hidden states at the next n positions and returns their outputs,
         * {@code [batch, n, dim]}: an array of the stack's, overwritten by the next feed or run.
         */
        public INDArray feed(INDArray x) {
            if (keys[0] == null) {
                throw new IllegalStateException("this decoding session is closed");
            }
            if (x.rank() != 3 || x.size(0) != batch || x.size(2) != block.dim()) {
                throw new IllegalArgumentException("expected hidden states [" + batch + ", n, " + block.dim()
                        + "], got " + java.util.Arrays.toString(x.shape()));
            }
            int n = (int) x.size(1);
            if (length + n > maxLength) {
                throw new IllegalStateException("feeding " + n + " positions after " + length + " exceeds the session's "
                        + maxLength);
            }
            Plan plan = plan(batch + "x" + n + ":cached@" + maxLength, () -> new Plan(batch, n, maxLength, false, true));
            INDArray out = plan.run(x, null, this);
            length += n;
            return out;
        }

        @Override
        public void close() {
            java.util.Arrays.fill(keys, null);
            java.util.Arrays.fill(values, null);
        }
    }

    /**
     * Starts (or, with false, stops) timing every kernel call; {@link #profile()} then sums the time per kernel.
     */
    public TransformerStack profiling(boolean on) {
        profile = on ? new TimeProfile() : null;
        return this;
    }

    /** Per kernel: total nanoseconds and calls since profiling started, most expensive first. */
    public Map<String, long[]> profile() {
        return profile == null ? new LinkedHashMap<>() : profile.snapshot();
    }

    private void timed(String kernel, Primitive p) {
        p.execute(profile, kernel);
    }

    /** Bytes of the activation workspace (as large as the largest call so far needed). */
    public long workspaceBytes() {
        return workspace.bytes();
    }

    /** Shapes whose kernels are cached, most recently used last (for tests and diagnostics). */
    public List<String> cachedShapes() {
        return List.copyOf(plans.keySet());
    }

    /** {@code [B·T]} additive key mask (0 or −1e9), or null when every token is real. */
    private static float[] additiveMask(INDArray mask, int batch, int length) {
        if (mask == null) {
            return null;
        }
        if (mask.rank() != 2 || mask.size(0) != batch || mask.size(1) != length) {
            throw new IllegalArgumentException("mask must be [" + batch + ", " + length + "], got "
                    + java.util.Arrays.toString(mask.shape()));
        }
        // (1 − m)·(−1e9), as the graph layer computes it: 0 for tokens, −1e9 for padding.
        float[] m = Buffers.flat(mask);
        boolean any = false;
        for (int i = 0; i < m.length; i++) {
            m[i] = (1f - m[i]) * MASKED;
            any |= m[i] != 0f;
        }
        return any ? m : null;
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();
        workspace.release();
    }

    /**
     * The activation buffers, one of each, at the capacity the largest shape so far needed. A shape's kernels read
     * and write the first elements of each (dense, offset 0); a larger shape reallocates the one it outgrows, by
     * half again, so a stream of slowly growing lengths reallocates a logarithmic number of times.
     */
    private final class Workspace {
        INDArray a;
        INDArray b;
        INDArray normed;
        INDArray qkv;
        INDArray scores;
        INDArray context;
        INDArray inner;
        INDArray mask;
        /** Bumped whenever a buffer is replaced, so plans know to renew their views and bindings. */
        long generation;

        void ensure(long rows, long scoreElements, long maskElements) {
            long c = block.dim();
            boolean pre = block.norm() == TransformerBlock.Norm.PRE;
            a = grow(a, rows * c);
            b = grow(b, rows * c);
            normed = pre ? grow(normed, rows * c) : null;
            qkv = grow(qkv, rows * 3 * c);
            scores = grow(scores, scoreElements);
            context = grow(context, rows * c);
            inner = grow(inner, rows * block.hidden());
            mask = maskElements == 0 ? mask : grow(mask, maskElements);
        }

        private INDArray grow(INDArray buffer, long elements) {
            INDArray grown = Buffers.grow(buffer, elements);
            if (grown != buffer) {
                generation++;
            }
            return grown;
        }

        long bytes() {
            long total = 0;
            for (INDArray x : new INDArray[] {a, b, normed, qkv, scores, context, inner, mask}) {
                total += x == null ? 0 : 4 * x.length();
            }
            return total;
        }

        void release() {
            a = b = normed = qkv = scores = context = inner = mask = null;
            generation++;
        }
    }

    /** Kernels for one shape; the buffers are the workspace's. */
    private final class Plan implements AutoCloseable {
        final int batch;
        final int length;
        final boolean padded;
        final boolean causal;
        /** Keys come from a session's cache of this many positions; 0: from this call's own rows. */
        final int cached;
        final long rows;
        final long scoreElements;
        final long maskElements;
        final long[] maskShape;
        final Primitive qkvProduct;
        final Primitive queryKey;
        final Primitive softmax;
        final Primitive attend;
        final Primitive outProduct;
        final Primitive norm;
        final Primitive fc1;
        final Primitive fc2;
        final List<Primitive> all;
        /** The workspace generation {@link #a} and {@link #b} view; bindings are renewed when it changes. */
        long boundGeneration = -1;
        INDArray a;
        INDArray b;
        INDArray normed;
        INDArray mask;

        private final List<Primitive> made = new ArrayList<>();

        /** Tracks each kernel as it is built, so that a failure part-way closes the ones already made. */
        private Primitive made(Primitive p) {
            made.add(p);
            return p;
        }

        Plan(int batch, int length, int cached, boolean padded, boolean causal) {
            this.batch = batch;
            this.length = length;
            this.cached = cached;
            this.padded = padded;
            this.causal = causal;
            long c = block.dim();
            long h = block.heads();
            long d = c / h;
            long f = block.hidden();
            rows = (long) batch * length;
            long t = length;
            long keyLength = cached > 0 ? cached : t;
            scoreElements = batch * h * t * keyLength;
            // A causal mask is written out per sequence ([B, 1, T, K]) even when every sequence shares it: broadcast
            // over both batch and heads, oneDNN's product falls back to a reference kernel (CLIP's text tower, batch
            // 32 × 77: 39 s against 1.7 s).
            maskShape = padded || causal ? new long[] {padded || causal ? batch : 1, 1, causal ? t : 1, keyLength}
                    : null;
            maskElements = maskShape == null ? 0 : maskShape[0] * maskShape[2] * maskShape[3];
            View hidden = View.dense(rows, c);
            LayerWeights first = layers.get(0);
            try {
                qkvProduct = made(Kernels.linear(hidden, first.qkvWeight(), View.dense(1, 3 * c), View.dense(rows, 3 * c),
                        PostOps.none()));
                // Heads read in place from [B·T, 3C]: queries at column h·d, keys at C + h·d, values at 2C + h·d.
                View queries = View.of(new long[] {batch, h, t, d}, new long[] {t * 3 * c, d, 3 * c, 1});
                // A session's keys and values: [B, T_max, C] caches, heads again through strides.
                View keysT = cached > 0 ? View.of(new long[] {batch, h, d, keyLength}, new long[] {keyLength * c, d, 1, c})
                        : View.of(new long[] {batch, h, d, t}, new long[] {t * 3 * c, d, 1, 3 * c});
                View valueView = cached > 0 ? View.of(new long[] {batch, h, keyLength, d}, new long[] {keyLength * c, d,
                        c, 1}) : queries;
                View scoreView = View.dense(batch, h, t, keyLength);
                PostOps scoring = PostOps.none().scale((float) (1 / Math.sqrt(d)));
                if (maskShape != null) {
                    scoring = scoring.add(View.dense(maskShape));
                }
                queryKey = made(Kernels.matmul(queries, keysT, null, scoreView, scoring));
                softmax = made(Kernels.softmax(scoreView, 3));
                attend = made(Kernels.matmul(scoreView, valueView, null, View.of(new long[] {batch, h, t, d},
                        new long[] {t * c, d, c, 1}), PostOps.none()));
                outProduct = made(Kernels.linear(hidden, first.outWeight(), View.dense(1, c), hidden, PostOps.none().add(hidden)));
                norm = made(Kernels.layerNorm(hidden, (float) block.eps()));
                PostOps activation = PostOps.none().then(block.activation().kernel());
                fc1 = made(Kernels.linear(hidden, first.fc1Weight(), View.dense(1, f), View.dense(rows, f), activation));
                fc2 = made(Kernels.linear(View.dense(rows, f), first.fc2Weight(), View.dense(1, c), hidden,
                        PostOps.none().add(hidden)));
            } catch (RuntimeException e) {
                made.forEach(Primitive::close);
                throw e;
            }
            all = List.of(qkvProduct, queryKey, softmax, attend, outProduct, norm, fc1, fc2);
        }

        /** Points the kernels at the workspace, after it grew (or on first use); views of its buffers' prefixes. */
        private void bindWorkspace() {
            workspace.ensure(rows, scoreElements, maskElements);
            if (boundGeneration == workspace.generation) {
                return;
            }
            Workspace w = workspace;
            long c = block.dim();
            a = Buffers.prefix(w.a, batch, length, c);
            b = Buffers.prefix(w.b, batch, length, c);
            normed = w.normed == null ? null : Buffers.prefix(w.normed, rows, c);
            mask = maskShape == null ? null : Buffers.prefix(w.mask, maskShape);
            // The attention buffers never change within a run.
            queryKey.bind(Args.SRC, w.qkv, 0).bind(Args.DST, w.scores);
            softmax.bind(Args.SRC, w.scores).bind(Args.DST, w.scores);
            attend.bind(Args.SRC, w.scores).bind(Args.DST, w.context);
            if (cached == 0) {
                queryKey.bind(Args.WEIGHTS, w.qkv, c);
                attend.bind(Args.WEIGHTS, w.qkv, 2 * c);
            }
            qkvProduct.bind(Args.DST, w.qkv);
            fc1.bind(Args.DST, w.inner);
            fc2.bind(Args.SRC, w.inner);
            if (mask != null) {
                queryKey.bind(Args.postOp(0), mask);
            }
            boundGeneration = w.generation;
        }

        /** One pass through every layer; with a session, its cache supplies (and receives) keys and values. */
        INDArray run(INDArray x, float[] additive, Session session) {
            bindWorkspace();
            a.assign(x);
            if (mask != null) {
                fillMask(additive, session == null ? 0 : session.length);
            }
            boolean pre = block.norm() == TransformerBlock.Norm.PRE;
            for (int layer = 0; layer < layers.size(); layer++) {
                LayerWeights w = layers.get(layer);
                if (pre) {
                    layerNorm(a, normed, w.norm1Gain(), w.norm1Bias());
                }
                qkvProduct.bind(Args.SRC, pre ? normed : a).bind(Args.WEIGHTS, w.qkvWeight())
                        .bind(Args.BIAS, w.qkvBias());
                timed("qkv projection", qkvProduct);
                if (session != null) {
                    appendToCache(session, layer);
                }
                timed("attention scores", queryKey);
                timed("softmax", softmax);
                timed("attention context", attend);
                // b = a + attention output
                outProduct.bind(Args.SRC, workspace.context).bind(Args.WEIGHTS, w.outWeight()).bind(Args.BIAS, w.outBias())
                        .bind(Args.DST, b).bind(Args.postOp(0), a);
                timed("output projection + residual", outProduct);
                INDArray mlpIn = b;
                if (pre) {
                    layerNorm(b, normed, w.norm2Gain(), w.norm2Bias());
                    mlpIn = normed;
                } else {
                    layerNorm(b, b, w.norm1Gain(), w.norm1Bias());
                }
                fc1.bind(Args.SRC, mlpIn).bind(Args.WEIGHTS, w.fc1Weight()).bind(Args.BIAS, w.fc1Bias());
                timed("mlp in + activation", fc1);
                // a = b + MLP output
                fc2.bind(Args.WEIGHTS, w.fc2Weight()).bind(Args.BIAS, w.fc2Bias()).bind(Args.DST, a)
                        .bind(Args.postOp(0), b);
                timed("mlp out + residual", fc2);
                if (!pre) {
                    layerNorm(a, a, w.norm2Gain(), w.norm2Bias());
                }
            }
            return a;
        }

        private void layerNorm(INDArray in, INDArray out, INDArray gain, INDArray bias) {
            norm.bind(Args.SRC, in).bind(Args.DST, out).bind(Args.SCALE, gain).bind(Args.SHIFT, bias);
            timed("layer norm", norm);
        }

        /** Copies this layer's new keys and values (columns C…3C of the qkv product) into the session's cache. */
        private void appendToCache(Session session, int layer) {
            long c = block.dim();
            INDArray qkv = Buffers.prefix(workspace.qkv, batch, length, 3 * c);
            org.nd4j.linalg.indexing.INDArrayIndex positions = org.nd4j.linalg.indexing.NDArrayIndex.interval(
                    session.length, session.length + length);
            org.nd4j.linalg.indexing.INDArrayIndex all = org.nd4j.linalg.indexing.NDArrayIndex.all();
            session.keys[layer].get(all, positions, all).assign(qkv.get(all, all,
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(c, 2 * c)));
            session.values[layer].get(all, positions, all).assign(qkv.get(all, all,
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(2 * c, 3 * c)));
            queryKey.bind(Args.WEIGHTS, session.keys[layer]);
            attend.bind(Args.WEIGHTS, session.values[layer]);
        }

        /**
         * Writes the additive mask: key padding per sequence, and −1e9 above the diagonal when causal. With a cache,
         * query row q sits at position {@code offset + q} and sees keys up to there; later cache slots are hidden.
         */
        private void fillMask(float[] additive, int offset) {
            int keyLength = cached > 0 ? cached : length;
            int rowsPerBatch = causal ? length : 1;
            int batches = padded || causal ? batch : 1;
            float[] m = new float[batches * rowsPerBatch * keyLength];
            for (int bi = 0; bi < batches; bi++) {
                for (int q = 0; q < rowsPerBatch; q++) {
                    for (int k = 0; k < keyLength; k++) {
                        // Added, not replaced, as in the graph: a row with every key hidden stays the graph's row.
                        float v = padded ? additive[bi * length + k] : 0f;
                        if (causal && k > offset + q) {
                            v += MASKED;
                        }
                        m[(bi * rowsPerBatch + q) * keyLength + k] = v;
                    }
                }
            }
            mask.assign(Nd4j.createFromArray(m).reshape(mask.shape()));
        }

        @Override
        public void close() {
            all.forEach(Primitive::close);
        }
    }
}
