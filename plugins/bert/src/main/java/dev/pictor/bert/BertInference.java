package dev.pictor.bert;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.nn.Graph;
import dev.pictor.nn.inference.Buffers;
import dev.pictor.nn.inference.TokenEmbeddings;
import dev.pictor.nn.inference.TransformerStack;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT for inference on fused oneDNN kernels ({@link TransformerStack}, {@link TokenEmbeddings}): the same
 * parameters and results as {@link BertEncoderModel}'s graph, ~60 kernel calls per forward instead of ~700 ops.
 * {@link BertSentenceEncoder} uses it whenever oneDNN is available. A snapshot of the weights at construction;
 * not thread-safe.
 *
 * <pre>{@code
 * BertEncoderModel bert = new BertEncoderModel(BertConfig.MINILM_L6, Graph.Mode.INFER, 0);
 * bert.graph().load(weights, false);
 * try (BertInference fast = new BertInference(bert.config(), bert.graph().state(), "")) {
 *     INDArray emb = fast.sentenceEmbeddings(tokenizer.encodeBatch(texts));   // [B, 384], unit length
 * }
 * }</pre>
 */
public final class BertInference implements AutoCloseable {
    private final BertConfig config;
    private final TokenEmbeddings embeddings;
    private final TransformerStack layers;

    /**
     * @param params Hugging Face names ({@code embeddings.word_embeddings.weight}, {@code encoder.layer.0…})
     * @param prefix {@code ""} for an encoder export, {@code "bert"} for BertForPreTraining
     */
    public BertInference(BertConfig config, Map<String, INDArray> params, String prefix) {
        this.config = config;
        checkShapes(config, params, prefix);
        this.embeddings = new TokenEmbeddings(param(params, prefix, "embeddings.word_embeddings.weight"),
                param(params, prefix, "embeddings.position_embeddings.weight"),
                param(params, prefix, "embeddings.token_type_embeddings.weight"),
                param(params, prefix, "embeddings.LayerNorm.weight"), param(params, prefix, "embeddings.LayerNorm.bias"),
                config.layerNormEps());
        this.layers = TransformerStack.of(config.layer(), TransformerStack.prefixes(Graph.join(prefix, "encoder.layer"),
                config.layers()), params);
    }

    /** The checks {@code Graph.load} makes, without building a graph: every tensor there, with BERT's shape. */
    private static void checkShapes(BertConfig c, Map<String, INDArray> params, String prefix) {
        Map<String, long[]> want = new java.util.LinkedHashMap<>();
        long h = c.hidden();
        want.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
        want.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), h});
        want.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        want.put("embeddings.LayerNorm.weight", new long[] {h});
        want.put("embeddings.LayerNorm.bias", new long[] {h});
        for (String layer : TransformerStack.prefixes("encoder.layer", c.layers())) {
            want.putAll(TransformerStack.parameterShapes(c.layer(), layer));
        }
        want.forEach((name, shape) -> {
            INDArray t = param(params, prefix, name);
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new BadInputException("weights for " + Graph.join(prefix, name) + " have shape "
                        + java.util.Arrays.toString(t.shape()) + " but the model needs "
                        + java.util.Arrays.toString(shape) + ": the checkpoint is for another configuration");
            }
        });
    }

    private static INDArray param(Map<String, INDArray> params, String prefix, String name) {
        INDArray p = params.get(Graph.join(prefix, name));
        if (p == null) {
            throw new BadInputException("weights lack " + Graph.join(prefix, name) + ": not a BERT checkpoint (or not"
                    + " this size of BERT)");
        }
        return p;
    }

    public BertConfig config() {
        return config;
    }

    /** The encoder layers (for {@link TransformerStack#profiling(boolean)}). */
    public TransformerStack encoderLayers() {
        return layers;
    }

    /** The last layer's hidden states {@code [B, T, hidden]}: this object's array, overwritten by the next call. */
    public INDArray hiddenStates(TokenBatch batch) {
        config.checkLength(batch.inputIds().size(1));
        long[][] ids = Buffers.rows(batch.inputIds());
        long[][] types = batch.tokenTypeIds() == null ? null : Buffers.rows(batch.tokenTypeIds());
        INDArray x = embeddings.lookup(ids, types);
        return layers.run(x, batch.attentionMask(), false);
    }

    /**
     * Mean over the real tokens, then unit length (sentence-transformers' pooling, clamped as
     * {@code torch.nn.functional.normalize}): a new {@code [B, hidden]} array. Sums in double.
     */
    public INDArray sentenceEmbeddings(TokenBatch batch) {
        return pool(hiddenStates(batch), batch.attentionMask());
    }

    /** The pooling of {@link #sentenceEmbeddings} applied to given hidden states {@code [B, T, hidden]}. */
    public static INDArray pool(INDArray hidden, INDArray attentionMask) {
        int b = (int) hidden.size(0);
        int t = (int) hidden.size(1);
        int c = (int) hidden.size(2);
        float[] h = hidden.reshape(-1).toFloatVector(); // the array may be a prefix of a larger workspace
        float[] maskFlat = Buffers.flat(attentionMask);
        float[][] out = new float[b][c];
        double[] acc = new double[c];
        for (int i = 0; i < b; i++) {
            java.util.Arrays.fill(acc, 0);
            double count = 0;
            for (int j = 0; j < t; j++) {
                float m = maskFlat[i * t + j];
                if (m == 0f) {
                    continue;
                }
                count += m;
                int base = (i * t + j) * c;
                for (int k = 0; k < c; k++) {
                    acc[k] += m * h[base + k];
                }
            }
            count = Math.max(count, 1e-9);
            double norm = 0;
            for (int k = 0; k < c; k++) {
                acc[k] /= count;
                norm += acc[k] * acc[k];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int k = 0; k < c; k++) {
                out[i][k] = (float) (acc[k] / norm);
            }
        }
        return Nd4j.createFromArray(out);
    }

    @Override
    public void close() {
        embeddings.close();
        layers.close();
    }
}
