package dev.pictor.nn.fused;

import dev.pictor.nn.TimeProfile;
import dev.pictor.nn.layers.TransformerBlock;
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
 * A stack of pre-LN {@link TransformerBlock}s trained on oneDNN kernels: a forward pass that keeps what the backward
 * needs, and the backward itself — two dozen kernel calls per layer each way instead of the graph's few hundred
 * ND4J ops, whose element-wise backward ops (broadcast multiplies, sigmoid derivatives) cost more than every matrix
 * product of the step together (BENCHMARKS.md, "Contrastive training step").
 *
 * <p>The same arithmetic as {@link TransformerBlock#apply} with {@link TransformerBlock.Norm#PRE}: per layer
 * {@code h = x + Attn(LN₁(x))}, {@code y = h + W₂·act(W₁·LN₂(h))}, causal or not, no padding mask (CLIP trains
 * its text tower unpadded-by-mask, its image tower has no padding). Parameters and gradients are the graph's own
 * arrays, in the order of {@link TransformerBlock#parameters}. Kernels and buffers are built once per
 * {@code (batch, length)}; a new shape rebuilds them. Not thread-safe.
 *
 * <pre>{@code
 * var stack = new TransformerStackTraining(block, 4, true);
 * INDArray y = stack.forward(x, params);        // [B, T, C]; activations kept
 * stack.backward(dy, params, dx, grads);         // fills dx and one gradient per parameter
 * }</pre>
 */
public final class TransformerStackTraining implements AutoCloseable, FusedKernels {
    /** Parameters per layer, in {@link TransformerBlock#parameters} order. */
    public static final int PER_LAYER = 16;
    static final int LN1_W = 0;
    static final int LN1_B = 1;
    static final int Q_W = 2;
    static final int Q_B = 3;
    static final int K_W = 4;
    static final int K_B = 5;
    static final int V_W = 6;
    static final int V_B = 7;
    static final int O_W = 8;
    static final int O_B = 9;
    static final int LN2_W = 10;
    static final int LN2_B = 11;
    static final int FC1_W = 12;
    static final int FC1_B = 13;
    static final int FC2_W = 14;
    static final int FC2_B = 15;

    private final TransformerBlock block;
    private final int layers;
    private final boolean causal;
    private Plan plan;
    private boolean forwardDone;
    private TimeProfile profile;

    public TransformerStackTraining(TransformerBlock block, int layers, boolean causal) {
        String why = unsupported(block);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        if (layers < 1) {
            throw new IllegalArgumentException("a transformer stack needs at least one layer");
        }
        this.block = block;
        this.layers = layers;
        this.causal = causal;
    }

    /** Why these kernels cannot train {@code block} here, or null when they can. */
    public static String unsupported(TransformerBlock block) {
        if (block.norm() != TransformerBlock.Norm.PRE) {
            return "the fused training kernels implement pre-LN blocks only";
        }
        if (block.dim() % block.heads() != 0) {
            return block.heads() + " heads do not divide width " + block.dim();
        }
        return OneDnn.available() ? null : OneDnn.unavailableReason();
    }

    public TransformerBlock block() {
        return block;
    }

    public int layers() {
        return layers;
    }

    public boolean causal() {
        return causal;
    }

    /** The settings, as a graph op stores them ({@link #fromProperties} rebuilds the kernels). */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("dim", block.dim());
        p.put("heads", (long) block.heads());
        p.put("hidden", block.hidden());
        p.put("activation", block.activation().name());
        p.put("eps", block.eps());
        p.put("layers", (long) layers);
        p.put("causal", causal);
        return p;
    }

    /** Kernels from {@link #properties} (parameter names do not matter to them: the graph passes the arrays). */
    static TransformerStackTraining fromProperties(Map<String, Object> p) {
        TransformerBlock block = new TransformerBlock(FusedOps.number(p, "dim").longValue(),
                FusedOps.number(p, "heads").intValue(), FusedOps.number(p, "hidden").longValue(),
                dev.pictor.nn.layers.Activation.valueOf(String.valueOf(p.get("activation"))),
                TransformerBlock.Norm.PRE, FusedOps.number(p, "eps").doubleValue(), TransformerBlock.Names.CLIP);
        return new TransformerStackTraining(block, FusedOps.number(p, "layers").intValue(),
                Boolean.parseBoolean(String.valueOf(p.get("causal"))));
    }

    /** Starts (or, with false, stops) timing every kernel call; {@link #profile()} sums the time per kernel. */
    public TransformerStackTraining profiling(boolean on) {
        profile = on ? new TimeProfile() : null;
        return this;
    }

    /** Per kernel: total nanoseconds and calls since profiling started, most expensive first. */
    public Map<String, long[]> profile() {
        return profile == null ? new LinkedHashMap<>() : profile.snapshot();
    }

    /**
     * Runs every layer and keeps the activations for {@link #backward}.
     *
     * @param x      {@code [B, T, C]} float32
     * @param params {@code layers × }{@value #PER_LAYER} float32 arrays in {@link TransformerBlock#parameters} order
     * @return {@code [B, T, C]}, an array of this object's, overwritten by the next forward
     */
    public INDArray forward(INDArray x, INDArray[] params) {
        checkParams(params);
        if (x.rank() != 3 || x.size(2) != block.dim() || x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected float32 hidden states [batch, length, " + block.dim()
                    + "], got " + x.dataType() + " " + java.util.Arrays.toString(x.shape()));
        }
        Plan p = plan((int) x.size(0), (int) x.size(1));
        Kernels.copy(Kernels.dense(x), 0, p.xs[0], 0, p.rows * block.dim());
        p.forward(params);
        forwardDone = true;
        return p.xs[layers].reshape(p.batch, p.length, block.dim());
    }

    /**
     * Back-propagates {@code dy} through the layers of the last {@link #forward}.
     *
     * @param dy     {@code [B, T, C]}, the loss's gradient with respect to the stack's output
     * @param params the same parameters the forward ran with
     * @param dx     receives the gradient with respect to the stack's input ({@code [B, T, C]}, whole float32)
     * @param grads  receive each parameter's gradient (whole float32 arrays of the parameters' sizes)
     */
    public void backward(INDArray dy, INDArray[] params, INDArray dx, INDArray[] grads) {
        if (!forwardDone || plan == null) {
            throw new IllegalStateException("backward needs the activations of a forward pass first");
        }
        checkParams(params);
        if (grads.length != params.length) {
            throw new IllegalArgumentException(params.length + " parameters but " + grads.length + " gradient arrays");
        }
        if (dy.length() != plan.rows * block.dim() || dx.length() != dy.length()) {
            throw new IllegalArgumentException("gradients must be [" + plan.batch + ", " + plan.length + ", "
                    + block.dim() + "] like the forward's input");
        }
        plan.backward(Kernels.dense(dy), params, dx, grads);
    }

    private void checkParams(INDArray[] params) {
        if (params.length != layers * PER_LAYER) {
            throw new IllegalArgumentException(layers + " layers take " + layers * PER_LAYER + " parameters, got "
                    + params.length);
        }
    }

    private Plan plan(int batch, int length) {
        if (plan != null && plan.batch == batch && plan.length == length) {
            return plan;
        }
        if (plan != null) {
            plan.close();
            plan = null;
        }
        forwardDone = false;
        plan = new Plan(batch, length);
        return plan;
    }

    @Override
    public void close() {
        if (plan != null) {
            plan.close();
            plan = null;
        }
    }

    private void timed(String kernel, Primitive p) {
        p.execute(profile, kernel);
    }

    private static INDArray buffer(long... shape) {
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    /** Kernels and buffers for one (batch, length). */
    private final class Plan implements AutoCloseable {
        final int batch;
        final int length;
        final long rows;
        final long c;
        final long f;
        final long heads;
        final long headDim;
        // kept activations, per layer
        final INDArray[] xs;
        final INDArray[] normed1;
        final INDArray[] mean1;
        final INDArray[] var1;
        final INDArray[] qkv;
        final INDArray[] probs;
        final INDArray[] context;
        final INDArray[] mid;
        final INDArray[] normed2;
        final INDArray[] mean2;
        final INDArray[] var2;
        final INDArray[] pre;
        final INDArray[] act;
        final INDArray[] qkvWeight;
        final INDArray[] qkvBias;
        final INDArray mask;
        // backward scratch
        final INDArray gradA;
        final INDArray gradB;
        final INDArray dMid;
        final INDArray dNormed;
        final INDArray dNormIn;
        final INDArray dContext;
        final INDArray dAct;
        final INDArray dPre;
        final INDArray dProbs;
        final INDArray dScores;
        final INDArray dQkv;
        final INDArray dQkvWeight;
        final INDArray dQkvBias;
        final INDArray ones;
        // forward kernels
        final Primitive norm;
        final Primitive qkvProduct;
        final Primitive queryKey;
        final Primitive softmax;
        final Primitive attend;
        final Primitive outProduct;
        final Primitive fc1;
        final Primitive activation;
        final Primitive fc2;
        // backward kernels
        final Primitive normBack;
        final Primitive activationBack;
        final Primitive addGrad;
        final Primitive softmaxBack;
        final Primitive probsGrad;
        final Primitive valuesGrad;
        final Primitive queriesGrad;
        final Primitive keysGrad;
        final Primitive qkvWeightGrad;
        final Primitive outWeightGrad;
        final Primitive fc1WeightGrad;
        final Primitive fc2WeightGrad;
        final Primitive qkvBiasGrad;
        final Primitive widthBiasGrad;
        final Primitive hiddenBiasGrad;
        final Primitive qkvInputGrad;
        final Primitive outInputGrad;
        final Primitive fc1InputGrad;
        final Primitive fc2InputGrad;
        private final List<Primitive> made = new ArrayList<>();

        private Primitive made(Primitive p) {
            made.add(p);
            return p;
        }

        Plan(int batch, int length) {
            this.batch = batch;
            this.length = length;
            c = block.dim();
            f = block.hidden();
            heads = block.heads();
            headDim = c / heads;
            rows = (long) batch * length;
            long t = length;
            long h = heads;
            long d = headDim;
            long scores = batch * h * t * t;
            xs = new INDArray[layers + 1];
            for (int i = 0; i <= layers; i++) {
                xs[i] = buffer(rows, c);
            }
            normed1 = new INDArray[layers];
            mean1 = new INDArray[layers];
            var1 = new INDArray[layers];
            qkv = new INDArray[layers];
            probs = new INDArray[layers];
            context = new INDArray[layers];
            mid = new INDArray[layers];
            normed2 = new INDArray[layers];
            mean2 = new INDArray[layers];
            var2 = new INDArray[layers];
            pre = new INDArray[layers];
            act = new INDArray[layers];
            qkvWeight = new INDArray[layers];
            qkvBias = new INDArray[layers];
            for (int i = 0; i < layers; i++) {
                normed1[i] = buffer(rows, c);
                mean1[i] = buffer(rows);
                var1[i] = buffer(rows);
                qkv[i] = buffer(rows, 3 * c);
                probs[i] = buffer(batch, h, t, t);
                context[i] = buffer(rows, c);
                mid[i] = buffer(rows, c);
                normed2[i] = buffer(rows, c);
                mean2[i] = buffer(rows);
                var2[i] = buffer(rows);
                pre[i] = buffer(rows, f);
                act[i] = buffer(rows, f);
                qkvWeight[i] = buffer(3 * c, c);
                qkvBias[i] = buffer(1, 3 * c);
            }
            mask = causal ? causalMask(batch, length) : null;
            gradA = buffer(rows, c);
            gradB = buffer(rows, c);
            dMid = buffer(rows, c);
            dNormed = buffer(rows, c);
            dNormIn = buffer(rows, c);
            dContext = buffer(rows, c);
            dAct = buffer(rows, f);
            dPre = buffer(rows, f);
            dProbs = buffer(scores);
            dScores = buffer(scores);
            dQkv = buffer(rows, 3 * c);
            dQkvWeight = buffer(3 * c, c);
            dQkvBias = buffer(1, 3 * c);
            ones = Nd4j.ones(DataType.FLOAT, 1, rows);

            View hidden = View.dense(rows, c);
            View inner = View.dense(rows, f);
            View scoreView = View.dense(batch, h, t, t);
            // The scores' transpose per head, read in place: [B, H, T, T] with the last two strides swapped.
            View scoresT = View.of(new long[] {batch, h, t, t}, new long[] {h * t * t, t * t, 1, t});
            // Heads inside [B·T, 3C] (queries at column h·d, keys at C + h·d, values at 2C + h·d) and inside [B·T, C].
            View headsOfQkv = View.of(new long[] {batch, h, t, d}, new long[] {t * 3 * c, d, 3 * c, 1});
            View headsOfQkvT = View.of(new long[] {batch, h, d, t}, new long[] {t * 3 * c, d, 1, 3 * c});
            View headsOfHidden = View.of(new long[] {batch, h, t, d}, new long[] {t * c, d, c, 1});
            float scale = (float) (1 / Math.sqrt(d));
            try {
                norm = made(Kernels.layerNormTraining(hidden, (float) block.eps()));
                qkvProduct = made(Kernels.matmul(hidden, View.transposed(c, 3 * c), View.dense(1, 3 * c),
                        View.dense(rows, 3 * c), PostOps.none()));
                PostOps scoring = PostOps.none().scale(scale);
                if (causal) {
                    scoring = scoring.add(View.dense(batch, 1, t, t));
                }
                queryKey = made(Kernels.matmul(headsOfQkv, headsOfQkvT, null, scoreView, scoring));
                softmax = made(Kernels.softmax(scoreView, 3));
                attend = made(Kernels.matmul(scoreView, headsOfQkv, null, headsOfHidden, PostOps.none()));
                outProduct = made(Kernels.matmul(hidden, View.transposed(c, c), View.dense(1, c), hidden,
                        PostOps.none().add(hidden)));
                fc1 = made(Kernels.matmul(hidden, View.transposed(c, f), View.dense(1, f), inner, PostOps.none()));
                activation = made(Kernels.eltwise(inner, block.activation().kernel()));
                fc2 = made(Kernels.matmul(inner, View.transposed(f, c), View.dense(1, c), hidden,
                        PostOps.none().add(hidden)));

                normBack = made(Kernels.layerNormBackward(hidden, (float) block.eps()));
                activationBack = made(Kernels.eltwiseBackward(inner, block.activation().kernel()));
                addGrad = made(Kernels.add(hidden, hidden, hidden));
                softmaxBack = made(Kernels.softmaxBackward(scoreView, 3));
                probsGrad = made(Kernels.matmul(headsOfHidden, headsOfQkvT, null, scoreView, PostOps.none()));
                valuesGrad = made(Kernels.matmul(scoresT, headsOfHidden, null, headsOfQkv, PostOps.none()));
                queriesGrad = made(Kernels.matmul(scoreView, headsOfQkv, null, headsOfQkv, PostOps.none().scale(scale)));
                keysGrad = made(Kernels.matmul(scoresT, headsOfQkv, null, headsOfQkv, PostOps.none().scale(scale)));
                qkvWeightGrad = made(weightGrad(3 * c, c));
                outWeightGrad = made(weightGrad(c, c));
                fc1WeightGrad = made(weightGrad(f, c));
                fc2WeightGrad = made(weightGrad(c, f));
                qkvBiasGrad = made(biasGrad(3 * c));
                widthBiasGrad = made(biasGrad(c));
                hiddenBiasGrad = made(biasGrad(f));
                qkvInputGrad = made(inputGrad(3 * c, c));
                outInputGrad = made(inputGrad(c, c));
                fc1InputGrad = made(inputGrad(f, c));
                fc2InputGrad = made(inputGrad(c, f));
            } catch (RuntimeException e) {
                made.forEach(Primitive::close);
                throw e;
            }
        }

        private Primitive weightGrad(long out, long in) {
            return LinearGradients.weight(rows, out, in);
        }

        private Primitive biasGrad(long out) {
            return LinearGradients.bias(rows, out);
        }

        private Primitive inputGrad(long out, long in) {
            return LinearGradients.input(rows, out, in, PostOps.none());
        }

        void forward(INDArray[] p) {
            for (int l = 0; l < layers; l++) {
                int o = l * PER_LAYER;
                INDArray x = xs[l];
                layerNorm(x, normed1[l], mean1[l], var1[l], p[o + LN1_W], p[o + LN1_B]);
                // Q, K and V weights side by side, so one product computes all three (copies of C² floats each).
                long cc = c * c;
                Kernels.copy(p[o + Q_W], 0, qkvWeight[l], 0, cc);
                Kernels.copy(p[o + K_W], 0, qkvWeight[l], cc, cc);
                Kernels.copy(p[o + V_W], 0, qkvWeight[l], 2 * cc, cc);
                Kernels.copy(p[o + Q_B], 0, qkvBias[l], 0, c);
                Kernels.copy(p[o + K_B], 0, qkvBias[l], c, c);
                Kernels.copy(p[o + V_B], 0, qkvBias[l], 2 * c, c);
                qkvProduct.bind(Args.SRC, normed1[l]).bind(Args.WEIGHTS, qkvWeight[l]).bind(Args.BIAS, qkvBias[l])
                        .bind(Args.DST, qkv[l]);
                timed("qkv projection", qkvProduct);
                queryKey.bind(Args.SRC, qkv[l], 0).bind(Args.WEIGHTS, qkv[l], c).bind(Args.DST, probs[l]);
                if (mask != null) {
                    queryKey.bind(Args.postOp(0), mask);
                }
                timed("attention scores", queryKey);
                softmax.bind(Args.SRC, probs[l]).bind(Args.DST, probs[l]);
                timed("softmax", softmax);
                attend.bind(Args.SRC, probs[l]).bind(Args.WEIGHTS, qkv[l], 2 * c).bind(Args.DST, context[l]);
                timed("attention context", attend);
                outProduct.bind(Args.SRC, context[l]).bind(Args.WEIGHTS, p[o + O_W]).bind(Args.BIAS, p[o + O_B])
                        .bind(Args.DST, mid[l]).bind(Args.postOp(0), x);
                timed("output projection + residual", outProduct);
                layerNorm(mid[l], normed2[l], mean2[l], var2[l], p[o + LN2_W], p[o + LN2_B]);
                fc1.bind(Args.SRC, normed2[l]).bind(Args.WEIGHTS, p[o + FC1_W]).bind(Args.BIAS, p[o + FC1_B])
                        .bind(Args.DST, pre[l]);
                timed("mlp in", fc1);
                activation.bind(Args.SRC, pre[l]).bind(Args.DST, act[l]);
                timed("activation", activation);
                fc2.bind(Args.SRC, act[l]).bind(Args.WEIGHTS, p[o + FC2_W]).bind(Args.BIAS, p[o + FC2_B])
                        .bind(Args.DST, xs[l + 1]).bind(Args.postOp(0), mid[l]);
                timed("mlp out + residual", fc2);
            }
        }

        private void layerNorm(INDArray in, INDArray out, INDArray mean, INDArray variance, INDArray gain,
                INDArray bias) {
            norm.bind(Args.SRC, in).bind(Args.DST, out).bind(Args.SCALE, gain).bind(Args.SHIFT, bias)
                    .bind(Args.MEAN, mean).bind(Args.VARIANCE, variance);
            timed("layer norm", norm);
        }

        void backward(INDArray dy, INDArray[] p, INDArray dx, INDArray[] g) {
            INDArray gy = dy;
            for (int l = layers - 1; l >= 0; l--) {
                int o = l * PER_LAYER;
                INDArray gx = l == 0 ? dx : (gy == gradA ? gradB : gradA);
                // MLP: y = mid + act(normed2 · W1ᵀ + b1) · W2ᵀ + b2
                linearGrads(fc2WeightGrad, widthBiasGrad, gy, act[l], g[o + FC2_W], g[o + FC2_B]);
                fc2InputGrad.bind(Args.SRC, gy).bind(Args.WEIGHTS, p[o + FC2_W]).bind(Args.DST, dAct);
                timed("backward: mlp out, input", fc2InputGrad);
                activationBack.bind(Args.SRC, pre[l]).bind(Args.DIFF_DST, dAct).bind(Args.DIFF_SRC, dPre);
                timed("backward: activation", activationBack);
                linearGrads(fc1WeightGrad, hiddenBiasGrad, dPre, normed2[l], g[o + FC1_W], g[o + FC1_B]);
                fc1InputGrad.bind(Args.SRC, dPre).bind(Args.WEIGHTS, p[o + FC1_W]).bind(Args.DST, dNormed);
                timed("backward: mlp in, input", fc1InputGrad);
                layerNormBackward(mid[l], mean2[l], var2[l], p[o + LN2_W], p[o + LN2_B], dNormed, g[o + LN2_W], g[o + LN2_B]);
                addGrad.bind(Args.SRC, gy).bind(Args.SRC_1, dNormIn).bind(Args.DST, dMid);
                timed("backward: residual sum", addGrad);
                // Attention: mid = x + context · Woᵀ + bo
                linearGrads(outWeightGrad, widthBiasGrad, dMid, context[l], g[o + O_W], g[o + O_B]);
                outInputGrad.bind(Args.SRC, dMid).bind(Args.WEIGHTS, p[o + O_W]).bind(Args.DST, dContext);
                timed("backward: output projection, input", outInputGrad);
                probsGrad.bind(Args.SRC, dContext).bind(Args.WEIGHTS, qkv[l], 2 * c).bind(Args.DST, dProbs);
                timed("backward: attention probabilities", probsGrad);
                valuesGrad.bind(Args.SRC, probs[l]).bind(Args.WEIGHTS, dContext).bind(Args.DST, dQkv, 2 * c);
                timed("backward: values", valuesGrad);
                softmaxBack.bind(Args.DST, probs[l]).bind(Args.DIFF_DST, dProbs).bind(Args.DIFF_SRC, dScores);
                timed("backward: softmax", softmaxBack);
                queriesGrad.bind(Args.SRC, dScores).bind(Args.WEIGHTS, qkv[l], c).bind(Args.DST, dQkv, 0);
                timed("backward: queries", queriesGrad);
                keysGrad.bind(Args.SRC, dScores).bind(Args.WEIGHTS, qkv[l], 0).bind(Args.DST, dQkv, c);
                timed("backward: keys", keysGrad);
                linearGrads(qkvWeightGrad, qkvBiasGrad, dQkv, normed1[l], dQkvWeight, dQkvBias);
                long cc = c * c;
                Kernels.copy(dQkvWeight, 0, g[o + Q_W], 0, cc);
                Kernels.copy(dQkvWeight, cc, g[o + K_W], 0, cc);
                Kernels.copy(dQkvWeight, 2 * cc, g[o + V_W], 0, cc);
                Kernels.copy(dQkvBias, 0, g[o + Q_B], 0, c);
                Kernels.copy(dQkvBias, c, g[o + K_B], 0, c);
                Kernels.copy(dQkvBias, 2 * c, g[o + V_B], 0, c);
                qkvInputGrad.bind(Args.SRC, dQkv).bind(Args.WEIGHTS, qkvWeight[l]).bind(Args.DST, dNormed);
                timed("backward: qkv projection, input", qkvInputGrad);
                layerNormBackward(xs[l], mean1[l], var1[l], p[o + LN1_W], p[o + LN1_B], dNormed, g[o + LN1_W], g[o + LN1_B]);
                addGrad.bind(Args.SRC, dMid).bind(Args.SRC_1, dNormIn).bind(Args.DST, gx);
                timed("backward: residual sum", addGrad);
                gy = gx;
            }
        }

        private void linearGrads(Primitive weightGrad, Primitive biasGrad, INDArray dOut, INDArray in,
                INDArray weight, INDArray bias) {
            weightGrad.bind(Args.SRC, dOut).bind(Args.WEIGHTS, in).bind(Args.DST, weight);
            timed("backward: weight gradients", weightGrad);
            biasGrad.bind(Args.SRC, ones).bind(Args.WEIGHTS, dOut).bind(Args.DST, bias);
            timed("backward: bias gradients", biasGrad);
        }

        private void layerNormBackward(INDArray in, INDArray mean, INDArray variance, INDArray gain, INDArray bias,
                INDArray dOut, INDArray dGain, INDArray dBias) {
            normBack.bind(Args.SRC, in).bind(Args.MEAN, mean).bind(Args.VARIANCE, variance).bind(Args.SCALE, gain)
                    .bind(Args.SHIFT, bias)
                    .bind(Args.DIFF_DST, dOut).bind(Args.DIFF_SRC, dNormIn)
                    .bind(Args.DIFF_SCALE, dGain).bind(Args.DIFF_SHIFT, dBias);
            timed("backward: layer norm", normBack);
        }

        @Override
        public void close() {
            made.forEach(Primitive::close);
        }
    }

    /** {@code [B, 1, T, T]}: 0 on and below the diagonal, −1e9 above, as the graph's causal mask adds. */
    private static INDArray causalMask(int batch, int length) {
        float[] m = new float[batch * length * length];
        for (int b = 0; b < batch; b++) {
            for (int q = 0; q < length; q++) {
                for (int k = q + 1; k < length; k++) {
                    m[(b * length + q) * length + k] = -1e9f;
                }
            }
        }
        return Nd4j.createFromArray(m).reshape(batch, 1, length, length);
    }
}
