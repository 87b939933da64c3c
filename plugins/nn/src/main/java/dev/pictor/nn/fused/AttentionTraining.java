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
 * Multi-head attention with separate bias-free query, key and value projections and a biased output projection
 * — latent diffusion's {@code CrossAttention}, self or cross — trained on oneDNN matrix products: the forward keeps
 * the projections, the attention probabilities and the attended values, the backward gives the gradients of the
 * sequence, the context and all five parameters. Heads are read and written through strides, never transposed.
 * As graph ops (projections, reshapes and permutes per head, batched products, softmax, each with its backward) a
 * small UNet's 22 attentions cost ~250 ms of a training step. Kernels and buffers are built per (batch, length,
 * context length). Not thread-safe.
 *
 * <pre>{@code
 * var attn = new AttentionTraining(320, 768, 8, 40, false);
 * INDArray y = attn.forward(x, context, new INDArray[] {wq, wk, wv, wo, bo});   // x [B, L, 320], context [B, S, 768]
 * attn.backward(dy, params, dx, dContext, grads);
 * }</pre>
 */
public final class AttentionTraining implements FusedKernels {
    /** Parameter order: to_q, to_k, to_v, to_out.0 weights, to_out.0 bias. */
    public static final int Q = 0;
    public static final int K = 1;
    public static final int V = 2;
    public static final int OUT = 3;
    public static final int OUT_BIAS = 4;

    private final long queryDim;
    private final long contextDim;
    private final int heads;
    private final long dimHead;
    private final boolean self;
    private Plan plan;
    private boolean forwardDone;

    /** @param self whether keys and values come from the sequence itself (then contextDim = queryDim) */
    public AttentionTraining(long queryDim, long contextDim, int heads, long dimHead, boolean self) {
        if (!OneDnn.available()) {
            throw new IllegalStateException(OneDnn.unavailableReason());
        }
        if (self && contextDim != queryDim) {
            throw new IllegalArgumentException("self-attention reads its keys from the sequence: contextDim "
                    + contextDim + " must equal queryDim " + queryDim);
        }
        this.queryDim = queryDim;
        this.contextDim = contextDim;
        this.heads = heads;
        this.dimHead = dimHead;
        this.self = self;
    }

    public boolean self() {
        return self;
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("queryDim", queryDim);
        p.put("contextDim", contextDim);
        p.put("heads", heads);
        p.put("dimHead", dimHead);
        p.put("self", self ? 1 : 0);
        return p;
    }

    static AttentionTraining fromProperties(Map<String, Object> p) {
        return new AttentionTraining(FusedOps.number(p, "queryDim").longValue(),
                FusedOps.number(p, "contextDim").longValue(), FusedOps.number(p, "heads").intValue(),
                FusedOps.number(p, "dimHead").longValue(), FusedOps.number(p, "self").intValue() != 0);
    }

    /**
     * The attention output {@code [B, L, queryDim]} of {@code x [B, L, queryDim]} over {@code context
     * [B, S, contextDim]} (ignored, may be null, for self-attention); an array of this object's.
     */
    public INDArray forward(INDArray x, INDArray context, INDArray[] params) {
        INDArray src = self ? x : context;
        if (x.rank() != 3 || x.size(2) != queryDim || src == null || src.rank() != 3 || src.size(2) != contextDim
                || src.size(0) != x.size(0)) {
            throw new IllegalArgumentException("attention over [B, L, " + queryDim + "] and [B, S, " + contextDim
                    + "], got " + java.util.Arrays.toString(x.shape()) + " and "
                    + (src == null ? "none" : java.util.Arrays.toString(src.shape())));
        }
        Plan p = plan((int) x.size(0), (int) x.size(1), (int) src.size(1));
        p.forward(Kernels.dense(x.castTo(DataType.FLOAT)), Kernels.dense(src.castTo(DataType.FLOAT)), dense(params));
        forwardDone = true;
        return p.y.reshape(x.shape());
    }

    /**
     * Gradients for the last forward from {@code dy} (the output's): {@code dx}, {@code dContext} (null for
     * self-attention) and {@code grads} in parameter order, each shaped as what it is the gradient of.
     */
    public void backward(INDArray dy, INDArray[] params, INDArray dx, INDArray dContext, INDArray[] grads) {
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        plan.backward(Kernels.dense(dy.castTo(DataType.FLOAT)), dense(params), dx, dContext, grads);
    }

    private static INDArray[] dense(INDArray[] params) {
        INDArray[] out = new INDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            out[i] = Kernels.dense(params[i].castTo(DataType.FLOAT));
        }
        return out;
    }

    private Plan plan(int batch, int length, int contextLength) {
        if (plan == null || plan.batch != batch || plan.length != length || plan.contextLength != contextLength) {
            if (plan != null) {
                plan.close();
            }
            plan = null;
            plan = new Plan(batch, length, contextLength);
        }
        return plan;
    }

    private static INDArray buffer(long... shape) {
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    /** Kernels and buffers for one (batch, length, context length). */
    private final class Plan implements AutoCloseable {
        final int batch;
        final int length;
        final int contextLength;
        final long rows;
        final long sourceRows;
        final long inner;
        // kept by the forward
        INDArray x;
        INDArray src;
        final INDArray q;          // [B·L, I]
        final INDArray kv;         // [B·S, 2I]: keys then values
        final INDArray kvWeight;   // [2I, Dc]
        final INDArray probs;      // [B, H, L, S]
        final INDArray attended;   // [B·L, I], heads interleaved
        final INDArray y;          // [B·L, Dq]
        // backward scratch
        final INDArray dAttended;
        final INDArray dProbs;
        final INDArray dScores;
        final INDArray dQ;
        final INDArray dKv;
        final INDArray dKvWeight;
        final INDArray dSource;
        final INDArray ones;
        final List<Primitive> made = new ArrayList<>();
        final Primitive queryProduct;
        final Primitive keyValueProduct;
        final Primitive scores;
        final Primitive softmax;
        final Primitive attend;
        final Primitive output;
        final Primitive outWeightGrad;
        final Primitive outBiasGrad;
        final Primitive outInputGrad;
        final Primitive probsGrad;
        final Primitive valuesGrad;
        final Primitive softmaxBack;
        final Primitive queriesGrad;
        final Primitive keysGrad;
        final Primitive queryWeightGrad;
        final Primitive queryInputGrad;
        final Primitive kvWeightGrad;
        final Primitive kvInputGrad;
        final Primitive sum;

        private Primitive made(Primitive p) {
            made.add(p);
            return p;
        }

        Plan(int batch, int length, int contextLength) {
            this.batch = batch;
            this.length = length;
            this.contextLength = contextLength;
            long l = length;
            long s = contextLength;
            long h = heads;
            long d = dimHead;
            inner = h * d;
            long i2 = 2 * inner;
            rows = batch * l;
            sourceRows = batch * s;
            q = buffer(rows, inner);
            kv = buffer(sourceRows, i2);
            kvWeight = buffer(i2, contextDim);
            probs = buffer(batch, h, l, s);
            attended = buffer(rows, inner);
            y = buffer(rows, queryDim);
            dAttended = buffer(rows, inner);
            dProbs = buffer(batch, h, l, s);
            dScores = buffer(batch, h, l, s);
            dQ = buffer(rows, inner);
            dKv = buffer(sourceRows, i2);
            dKvWeight = buffer(i2, contextDim);
            dSource = buffer(sourceRows, contextDim);
            ones = Nd4j.ones(DataType.FLOAT, 1, rows);
            View headsOfQ = View.of(new long[] {batch, h, l, d}, new long[] {l * inner, d, inner, 1});
            View keysT = View.of(new long[] {batch, h, d, s}, new long[] {s * i2, d, 1, i2});
            View headsOfKv = View.of(new long[] {batch, h, s, d}, new long[] {s * i2, d, i2, 1});
            View scoreView = View.dense(batch, h, l, s);
            View scoresT = View.of(new long[] {batch, h, s, l}, new long[] {h * l * s, l * s, 1, s});
            float scale = (float) (1 / Math.sqrt(d));
            try {
                queryProduct = made(Kernels.matmul(View.dense(rows, queryDim), View.transposed(queryDim, inner), null,
                        View.dense(rows, inner), PostOps.none()));
                keyValueProduct = made(Kernels.matmul(View.dense(sourceRows, contextDim),
                        View.transposed(contextDim, i2), null, View.dense(sourceRows, i2), PostOps.none()));
                scores = made(Kernels.matmul(headsOfQ, keysT, null, scoreView, PostOps.none().scale(scale)));
                softmax = made(Kernels.softmax(scoreView, 3));
                attend = made(Kernels.matmul(scoreView, headsOfKv, null, headsOfQ, PostOps.none()));
                output = made(Kernels.matmul(View.dense(rows, inner), View.transposed(inner, queryDim),
                        View.dense(1, queryDim), View.dense(rows, queryDim), PostOps.none()));
                outWeightGrad = made(LinearGradients.weight(rows, queryDim, inner));
                outBiasGrad = made(LinearGradients.bias(rows, queryDim));
                outInputGrad = made(LinearGradients.input(rows, queryDim, inner, PostOps.none()));
                probsGrad = made(Kernels.matmul(headsOfQ, keysT, null, scoreView, PostOps.none()));
                valuesGrad = made(Kernels.matmul(scoresT, headsOfQ, null, headsOfKv, PostOps.none()));
                softmaxBack = made(Kernels.softmaxBackward(scoreView, 3));
                queriesGrad = made(Kernels.matmul(scoreView, headsOfKv, null, headsOfQ, PostOps.none().scale(scale)));
                keysGrad = made(Kernels.matmul(scoresT, headsOfQ, null, headsOfKv, PostOps.none().scale(scale)));
                queryWeightGrad = made(LinearGradients.weight(rows, inner, queryDim));
                queryInputGrad = made(LinearGradients.input(rows, inner, queryDim, PostOps.none()));
                kvWeightGrad = made(LinearGradients.weight(sourceRows, i2, contextDim));
                kvInputGrad = made(LinearGradients.input(sourceRows, i2, contextDim, PostOps.none()));
                sum = self ? made(Kernels.add(View.dense(rows, queryDim), View.dense(rows, queryDim),
                        View.dense(rows, queryDim))) : null;
            } catch (RuntimeException e) {
                made.forEach(Primitive::close);
                throw e;
            }
        }

        void forward(INDArray xIn, INDArray srcIn, INDArray[] p) {
            x = xIn;
            src = srcIn;
            long wk = inner * contextDim;
            Kernels.copy(p[K], 0, kvWeight, 0, wk);
            Kernels.copy(p[V], 0, kvWeight, wk, wk);
            queryProduct.bind(Args.SRC, x).bind(Args.WEIGHTS, p[Q]).bind(Args.DST, q).execute();
            keyValueProduct.bind(Args.SRC, src).bind(Args.WEIGHTS, kvWeight).bind(Args.DST, kv).execute();
            scores.bind(Args.SRC, q).bind(Args.WEIGHTS, kv, 0).bind(Args.DST, probs).execute();
            softmax.bind(Args.SRC, probs).bind(Args.DST, probs).execute();
            attend.bind(Args.SRC, probs).bind(Args.WEIGHTS, kv, inner).bind(Args.DST, attended).execute();
            output.bind(Args.SRC, attended).bind(Args.WEIGHTS, p[OUT]).bind(Args.BIAS, p[OUT_BIAS].reshape(1,
                    queryDim)).bind(Args.DST, y).execute();
        }

        void backward(INDArray dy, INDArray[] p, INDArray dx, INDArray dContext, INDArray[] g) {
            outWeightGrad.bind(Args.SRC, dy).bind(Args.WEIGHTS, attended).bind(Args.DST, g[OUT]).execute();
            outBiasGrad.bind(Args.SRC, ones).bind(Args.WEIGHTS, dy).bind(Args.DST, g[OUT_BIAS]).execute();
            outInputGrad.bind(Args.SRC, dy).bind(Args.WEIGHTS, p[OUT]).bind(Args.DST, dAttended).execute();
            // dP = dA_h · V_hᵀ; dV_h = P_hᵀ · dA_h
            probsGrad.bind(Args.SRC, dAttended).bind(Args.WEIGHTS, kv, inner).bind(Args.DST, dProbs).execute();
            valuesGrad.bind(Args.SRC, probs).bind(Args.WEIGHTS, dAttended).bind(Args.DST, dKv, inner).execute();
            softmaxBack.bind(Args.DST, probs).bind(Args.DIFF_DST, dProbs).bind(Args.DIFF_SRC, dScores).execute();
            // dQ_h = dS · K_h / √d; dK_h = dSᵀ · Q_h / √d
            queriesGrad.bind(Args.SRC, dScores).bind(Args.WEIGHTS, kv, 0).bind(Args.DST, dQ).execute();
            keysGrad.bind(Args.SRC, dScores).bind(Args.WEIGHTS, q).bind(Args.DST, dKv, 0).execute();
            queryWeightGrad.bind(Args.SRC, dQ).bind(Args.WEIGHTS, x).bind(Args.DST, g[Q]).execute();
            kvWeightGrad.bind(Args.SRC, dKv).bind(Args.WEIGHTS, src).bind(Args.DST, dKvWeight).execute();
            long wk = inner * contextDim;
            Kernels.copy(dKvWeight, 0, g[K], 0, wk);
            Kernels.copy(dKvWeight, wk, g[V], 0, wk);
            queryInputGrad.bind(Args.SRC, dQ).bind(Args.WEIGHTS, p[Q]).bind(Args.DST, dx).execute();
            kvInputGrad.bind(Args.SRC, dKv).bind(Args.WEIGHTS, kvWeight).bind(Args.DST, self ? dSource : dContext)
                    .execute();
            if (self) {
                sum.bind(Args.SRC, dx).bind(Args.SRC_1, dSource).bind(Args.DST, dx).execute();
            }
        }

        @Override
        public void close() {
            made.forEach(Primitive::close);
        }
    }
}
