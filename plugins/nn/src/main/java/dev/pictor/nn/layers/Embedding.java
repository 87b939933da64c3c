package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A lookup table, PyTorch's {@code nn.Embedding}: {@code weight [count, dim]}, initialised N(0, 1); ids of any
 * shape give vectors of shape {@code ids.shape + [dim]}.
 *
 * <p>Inference gathers rows. Training multiplies a one-hot matrix by the table instead, because SameDiff's
 * gather backward is unusable in M2.1 (minutes per step or a shape error); the two agree exactly.
 *
 * <pre>{@code
 * SDVariable e = new Embedding(30522, 384).apply(g, "embeddings.word_embeddings", ids);   // [B, T] -> [B, T, 384]
 * }</pre>
 *
 * @param count   number of ids
 * @param dim     vector width
 * @param initStd standard deviation of the initial weights (PyTorch's default 1; BERT and CLIP use 0.02)
 */
public record Embedding(long count, long dim, double initStd) {

    /** An embedding initialised like PyTorch's default, N(0, 1). */
    public Embedding(long count, long dim) {
        this(count, dim, 1.0);
    }

    public SDVariable apply(Graph g, String name, SDVariable ids) {
        SDVariable w = g.param(Graph.join(name, "weight"), Init.normal(initStd), count, dim);
        if (g.mode() == Graph.Mode.INFER) {
            return g.sameDiff().gather(w, ids, 0);
        }
        SDVariable oneHot = g.sameDiff().oneHot(ids.reshape(-1), (int) count, -1, 1.0, 0.0, DataType.FLOAT);
        if (g.dtype() != DataType.FLOAT) {
            // one_hot's output type is not carried into shape inference in M2.1: it always plans FLOAT
            oneHot = oneHot.castTo(g.dtype());
        }
        SDVariable rows = g.sameDiff().mmul(oneHot, w);
        return g.reshapeLike(rows, ids, 0, dim);
    }
}
