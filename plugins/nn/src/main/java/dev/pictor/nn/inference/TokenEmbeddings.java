package dev.pictor.nn.inference;

import dev.pictor.nn.onednn.Args;
import dev.pictor.nn.onednn.Kernels;
import dev.pictor.nn.onednn.Primitive;
import dev.pictor.nn.onednn.View;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token + position (+ segment) embeddings for inference, optionally followed by a LayerNorm (BERT's
 * embeddings; CLIP's text embeddings have none): two row gathers, one add and one LayerNorm per batch. Position and
 * segment tables are summed once up front, so a token's row is {@code tokens[id] + (positions + segments[s])[t]}.
 *
 * <p>Keeps its buffer and kernels for the last shape; not thread-safe. The token table is used in place when it
 * is already a dense float32 array (it is the largest tensor of a text model): do not change it while in use.
 *
 * <pre>{@code
 * var emb = new TokenEmbeddings(word, position, tokenType, lnWeight, lnBias, 1e-12);
 * INDArray x = emb.lookup(ids, null);   // [B, T, C], overwritten by the next lookup
 * }</pre>
 */
public final class TokenEmbeddings implements AutoCloseable {
    private final INDArray tokens;
    private final INDArray positionSegment;
    private final long positions;
    private final long segments;
    private final INDArray normGain;
    private final INDArray normBias;
    private final float eps;
    /** Capacity buffers (the largest lookup so far), reused by every shape: varied lengths allocate nothing. */
    private INDArray sumBuffer;
    private INDArray placedBuffer;
    /** Per (batch, length): the add and LayerNorm kernels and views of the buffers, the last {@value #KERNELS}. */
    private final Map<Long, Shape> kernels = new LinkedHashMap<>(16, 0.75f, true);

    /** One shape's kernels, and its views of the buffers they were made over (renewed when the buffers grow). */
    private static final class Shape {
        final Primitive add;
        final Primitive norm;
        INDArray buffer;
        INDArray sum;
        INDArray placed;

        Shape(Primitive add, Primitive norm) {
            this.add = add;
            this.norm = norm;
        }

        void close() {
            add.close();
            if (norm != null) {
                norm.close();
            }
        }
    }
    private static final int KERNELS = 64;

    /**
     * @param tokens    {@code [vocabulary, C]}
     * @param positions {@code [max positions, C]}
     * @param segments  {@code [segment kinds, C]}, or null
     * @param normGain  LayerNorm gain {@code [C]}, or null for no LayerNorm
     * @param normBias  LayerNorm bias {@code [C]}
     * @param eps       LayerNorm epsilon
     */
    public TokenEmbeddings(INDArray tokens, INDArray positions, INDArray segments, INDArray normGain,
            INDArray normBias, double eps) {
        this.tokens = Kernels.dense(tokens); // shared when already dense float32: the largest table is not copied
        long width = tokens.size(1);
        for (INDArray t : new INDArray[] {positions, segments, normGain, normBias}) {
            if (t != null && t.size(-1) != width) {
                throw new IllegalArgumentException("embedding tables disagree on width: tokens have " + width
                        + ", another table " + java.util.Arrays.toString(t.shape()) + ": weights of two models?");
            }
        }
        this.positions = positions.size(0);
        INDArray seg = segments == null ? Nd4j.zeros(DataType.FLOAT, 1, width) : segments.castTo(DataType.FLOAT);
        this.segments = seg.size(0);
        // [S·P, C]: row s·P + t = positions[t] + segments[s]
        INDArray table = Nd4j.createUninitialized(DataType.FLOAT, this.segments * this.positions, width);
        for (long s = 0; s < this.segments; s++) {
            table.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s * this.positions, (s + 1) * this.positions),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(positions.castTo(DataType.FLOAT)
                    .addRowVector(seg.getRow(s)));
        }
        this.positionSegment = table;
        this.normGain = normGain == null ? null : normGain.castTo(DataType.FLOAT).dup('c');
        this.normBias = normBias == null ? null : normBias.castTo(DataType.FLOAT).dup('c');
        this.eps = (float) eps;
    }

    /**
     * @param ids      token ids, {@code [B][T]}
     * @param segments segment ids {@code [B][T]}, or null for all 0
     * @return {@code [B, T, C]}, overwritten by the next lookup
     */
    public INDArray lookup(long[][] ids, long[][] segments) {
        int batch = ids.length;
        int length = batch == 0 ? 0 : ids[0].length;
        if (batch == 0 || length == 0) {
            throw new IllegalArgumentException("nothing to embed: the batch is empty");
        }
        if (length > positions) {
            throw new IllegalArgumentException("sequence of " + length + " tokens is longer than the " + positions
                    + " positions the model has: truncate it");
        }
        long width = tokens.size(1);
        long rowCount = batch * (long) length;
        sumBuffer = Buffers.grow(sumBuffer, rowCount * width);
        placedBuffer = Buffers.grow(placedBuffer, rowCount * width);
        long key = ((long) batch << 32) | length;
        Shape k = kernels.get(key);
        if (k == null) {
            View all = View.dense(rowCount, width);
            Primitive add = Kernels.add(all, all, all);
            try {
                k = new Shape(add, normGain == null ? null : Kernels.layerNorm(all, eps));
            } catch (RuntimeException e) {
                add.close();
                throw e;
            }
            kernels.put(key, k);
            if (kernels.size() > KERNELS) {
                Long eldest = kernels.keySet().iterator().next();
                kernels.remove(eldest).close();
            }
        }
        if (k.buffer != sumBuffer) {
            // Views of the buffers' prefixes, kept while the buffers stay (both grow together).
            k.sum = Buffers.prefix(sumBuffer, batch, length, width);
            k.placed = Buffers.prefix(placedBuffer, batch, length, width);
            k.buffer = sumBuffer;
        }
        INDArray sum = k.sum;
        INDArray placed = k.placed;
        Primitive add = k.add;
        Primitive norm = k.norm;
        long[] tokenRows = new long[batch * length];
        long[] placeRows = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            if (ids[b].length != length) {
                throw new IllegalArgumentException("ragged batch: sequence " + b + " has " + ids[b].length
                        + " tokens, the first " + length + ": pad it");
            }
            if (segments != null && segments[b].length != length) {
                throw new IllegalArgumentException("segment ids of sequence " + b + " have " + segments[b].length
                        + " entries for " + length + " tokens");
            }
            for (int t = 0; t < length; t++) {
                if (ids[b][t] < 0 || ids[b][t] >= tokens.size(0)) {
                    throw new IllegalArgumentException("token id " + ids[b][t] + " is outside the model's vocabulary"
                            + " of " + tokens.size(0) + ": use the model's own tokenizer");
                }
                long s = segments == null ? 0 : segments[b][t];
                if (s < 0 || s >= this.segments) {
                    throw new IllegalArgumentException("segment id " + s + " is outside the model's " + this.segments);
                }
                tokenRows[b * length + t] = ids[b][t];
                placeRows[b * length + t] = s * positions + t;
            }
        }
        Kernels.gatherRows(tokens, tokenRows, sum);
        Kernels.gatherRows(positionSegment, placeRows, placed);
        add.bind(Args.SRC, sum).bind(Args.SRC_1, placed).bind(Args.DST, sum).execute();
        if (norm != null) {
            norm.bind(Args.SRC, sum).bind(Args.DST, sum).bind(Args.SCALE, normGain).bind(Args.SHIFT, normBias).execute();
        }
        return sum;
    }

    @Override
    public void close() {
        kernels.values().forEach(Shape::close);
        kernels.clear();
        sumBuffer = null;
        placedBuffer = null;
    }
}
