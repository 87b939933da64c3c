package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import dev.pictor.nn.inference.Buffers;
import dev.pictor.nn.inference.RowKernels;
import dev.pictor.nn.inference.TokenEmbeddings;
import dev.pictor.nn.inference.TransformerStack;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CLIP's text tower on fused oneDNN kernels: the same parameters and results as {@link ClipModel#text} (to float32
 * rounding), built from {@link TokenEmbeddings}, a causal {@link TransformerStack} and {@link RowKernels}.
 *
 * <p>When only the pooled or projected vectors are wanted, each batch runs only as far as its longest text: attention
 * is causal and the pooled state is the end token's, so the padding after it changes nothing there — a batch of
 * short prompts costs a fraction of the 77-position context. Token states are computed over the whole given length
 * (what diffusion models condition on, padding states included, as upstream). Not thread-safe; close it.
 *
 * <pre>{@code
 * try (ClipTextInference text = new ClipTextInference(config, weights)) {
 *     INDArray vectors = text.encode(ids, false).projected();   // [B, embed]
 * }
 * }</pre>
 */
public final class ClipTextInference implements AutoCloseable {
    /**
     * One batch's outputs: token states (null unless asked for), pooled and projected vectors (null for text-only
     * weights, which have no projection).
     */
    public record Result(INDArray tokens, INDArray pooled, INDArray projected) {
    }

    private final ClipConfig config;
    private final TokenEmbeddings embeddings;
    private final TransformerStack layers;
    private final RowKernels.Norm finalNorm;
    private final RowKernels.Linear projection;

    /**
     * @param params ClipModel's names (a checkpoint through {@link ClipCheckpoint}); without
     *               {@code text_projection.weight} (Stable Diffusion's text encoder) nothing is projected
     */
    public ClipTextInference(ClipConfig config, Map<String, INDArray> params) {
        this.config = config;
        this.embeddings = new TokenEmbeddings(param(params, "text_model.embeddings.token_embedding.weight"),
                param(params, "text_model.embeddings.position_embedding.weight"), null, null, null, config.layerNormEps());
        this.layers = TransformerStack.of(ClipModel.textBlock(config),
                TransformerStack.prefixes("text_model.encoder.layers", config.text().layers()), params);
        this.finalNorm = RowKernels.layerNorm(param(params, "text_model.final_layer_norm.weight"),
                param(params, "text_model.final_layer_norm.bias"), config.layerNormEps());
        this.projection = params.containsKey(ClipModel.TEXT_PROJECTION)
                ? RowKernels.linear(params.get(ClipModel.TEXT_PROJECTION), null) : null;
    }

    static INDArray param(Map<String, INDArray> params, String name) {
        INDArray p = params.get(name);
        if (p == null) {
            throw new BadInputException("weights lack " + name + ": not a CLIP checkpoint (or not one in ClipModel's"
                    + " names: read it with ClipCheckpoint)");
        }
        return p;
    }

    public ClipConfig config() {
        return config;
    }

    /**
     * Encodes token ids {@code [B, T]} (T ≤ the context; padding after the end token).
     *
     * @param withTokens whether to compute the token states over all T positions
     */
    public Result encode(INDArray ids, boolean withTokens) {
        long[][] rows = Buffers.rows(ids);
        int batch = rows.length;
        int length = rows[0].length;
        if (length > config.text().contextLength()) {
            throw new BadInputException(length + " tokens exceed the text context of " + config.text().contextLength()
                    + ": truncate them (the tokenizer's context)");
        }
        int[] pool = new int[batch];
        int needed = 1;
        for (int b = 0; b < batch; b++) {
            pool[b] = ClipModel.poolPosition(rows[b]);
            needed = Math.max(needed, pool[b] + 1);
        }
        int run = withTokens ? length : needed;
        long[][] trimmed = run == length ? rows : Arrays.stream(rows).map(r -> Arrays.copyOf(r, run)).toArray(long[][]::new);
        INDArray x = layers.run(embeddings.lookup(trimmed, null), null, true);
        long width = config.text().width();
        INDArray tokens = null;
        INDArray pooled = Nd4j.createUninitialized(DataType.FLOAT, batch, width);
        if (withTokens) {
            tokens = x.dup('c');
            finalNorm.apply(tokens.reshape(batch * (long) run, width));
            for (int b = 0; b < batch; b++) {
                pooled.putRow(b, tokens.get(NDArrayIndex.point(b), NDArrayIndex.point(pool[b]), NDArrayIndex.all()));
            }
        } else {
            // the LayerNorm is per position: normalising only the pooled rows gives the same vectors
            for (int b = 0; b < batch; b++) {
                pooled.putRow(b, x.get(NDArrayIndex.point(b), NDArrayIndex.point(pool[b]), NDArrayIndex.all()));
            }
            finalNorm.apply(pooled);
        }
        return new Result(tokens, pooled, projection == null ? null : projection.apply(pooled));
    }

    @Override
    public void close() {
        embeddings.close();
        layers.close();
        finalNorm.close();
        if (projection != null) {
            projection.close();
        }
    }
}
