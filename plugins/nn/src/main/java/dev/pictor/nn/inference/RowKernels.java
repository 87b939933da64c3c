package dev.pictor.nn.inference;

import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.PackedWeights;
import dev.pictor.nn.onednn.PostOps;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * oneDNN kernels over {@code [rows, width]} matrices whose row count varies from call to call (a batch's images,
 * pooled vectors): one primitive per row count, built on first use and kept for the last {@value #KEPT} counts, so
 * steady traffic builds nothing. The glue of inference engines around a {@link TransformerStack}: a Linear layer
 * with packed weights, a LayerNorm. Not thread-safe; close to free the native objects.
 *
 * <pre>{@code
 * try (RowKernels.Linear proj = RowKernels.linear(params.get("visual_projection.weight"), null);
 *      RowKernels.Norm ln = RowKernels.layerNorm(params.get("post.weight"), params.get("post.bias"), 1e-5)) {
 *     ln.apply(pooled);                        // in place, [B, 768]
 *     INDArray out = proj.apply(pooled);       // [B, 512], a new array
 * }
 * }</pre>
 */
public final class RowKernels {
    /** Row counts whose primitives are kept. */
    public static final int KEPT = 32;

    private RowKernels() {
    }

    /** A Linear layer {@code y = x Wᵀ + b} with PyTorch's {@code weight [out, in]}; {@code bias} may be null. */
    public static Linear linear(INDArray weight, INDArray bias) {
        return new Linear(PackedWeights.of(weight), bias == null ? null
                : bias.castTo(DataType.FLOAT).reshape(1, bias.length()).dup('c'));
    }

    /** A LayerNorm over the last dimension with gain and bias {@code [width]}. */
    public static Norm layerNorm(INDArray gain, INDArray bias, double eps) {
        return new Norm(gain.castTo(DataType.FLOAT).dup('c'), bias.castTo(DataType.FLOAT).dup('c'), (float) eps);
    }

    /** Primitives by row count, least recently used evicted. */
    private static final class Cache implements AutoCloseable {
        private final Map<Long, Primitive> byRows = new LinkedHashMap<>(16, 0.75f, true);

        Primitive get(long rows, LongFunction<Primitive> build) {
            Primitive p = byRows.get(rows);
            if (p == null) {
                p = build.apply(rows);
                byRows.put(rows, p);
                if (byRows.size() > KEPT) {
                    Long eldest = byRows.keySet().iterator().next();
                    byRows.remove(eldest).close();
                }
            }
            return p;
        }

        @Override
        public void close() {
            byRows.values().forEach(Primitive::close);
            byRows.clear();
        }
    }

    /** {@code y = x Wᵀ + b}. */
    public static final class Linear implements AutoCloseable {
        private final PackedWeights weight;
        private final INDArray bias;
        private final Cache cache = new Cache();

        private Linear(PackedWeights weight, INDArray bias) {
            this.weight = weight;
            this.bias = bias;
        }

        public long in() {
            return weight.in();
        }

        public long out() {
            return weight.out();
        }

        /** {@code x [rows, in]} (dense, C order, float32) into {@code y [rows, out]}. */
        public void apply(INDArray x, INDArray y) {
            long rows = x.size(0);
            Primitive p = cache.get(rows, r -> Kernels.linear(View.dense(r, weight.in()), weight,
                    bias == null ? null : View.dense(1, weight.out()), View.dense(r, weight.out()), PostOps.none()));
            p.bind(Args.SRC, x).bind(Args.WEIGHTS, weight).bind(Args.DST, y);
            if (bias != null) {
                p.bind(Args.BIAS, bias);
            }
            p.execute();
        }

        /** As {@link #apply(INDArray, INDArray)} into a new array. */
        public INDArray apply(INDArray x) {
            INDArray y = org.nd4j.linalg.factory.Nd4j.createUninitialized(DataType.FLOAT, x.size(0), weight.out());
            apply(x, y);
            return y;
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    /** LayerNorm over the last dimension. */
    public static final class Norm implements AutoCloseable {
        private final INDArray gain;
        private final INDArray bias;
        private final float eps;
        private final Cache cache = new Cache();

        private Norm(INDArray gain, INDArray bias, float eps) {
            this.gain = gain;
            this.bias = bias;
            this.eps = eps;
        }

        /** Normalises {@code x [rows, width]} (dense, C order, float32) in place. */
        public void apply(INDArray x) {
            long width = gain.length();
            Primitive p = cache.get(x.length() / width, r -> Kernels.layerNorm(View.dense(r, width), eps));
            p.bind(Args.SRC, x).bind(Args.DST, x).bind(Args.SCALE, gain).bind(Args.SHIFT, bias).execute();
        }

        @Override
        public void close() {
            cache.close();
        }
    }
}
