package dev.pictor.bert;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Embedding;
import dev.pictor.nn.layers.LayerNorm;
import dev.pictor.nn.layers.TransformerBlock;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.pictor.api.spi.TokenBatch;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BERT encoder (post-LN, GELU) as a graph with Hugging Face parameter names: word + position + token-type
 * embeddings, LayerNorm, then {@code layers} transformer layers; plus mean pooling over the attention mask and
 * L2 normalisation, which make sentence embeddings (sentence-transformers' recipe).
 *
 * <pre>{@code
 * BertEncoderModel bert = new BertEncoderModel(BertConfig.MINILM_L6, Graph.Mode.INFER, 0);
 * bert.graph().load(weights, true);
 * INDArray emb = bert.sentenceEmbeddings(batch.inputIds(), batch.attentionMask());   // [B, 384], unit length
 * }</pre>
 */
public final class BertEncoderModel {
    private final BertConfig config;
    private final Graph graph;
    private final SDVariable hidden;
    private final SDVariable sentence;

    public BertEncoderModel(BertConfig config, Graph.Mode mode, long seed) {
        this.config = config;
        this.graph = new Graph(DataType.FLOAT, seed, mode);
        var sd = graph.sameDiff();
        SDVariable ids = graph.input("input_ids", DataType.INT64, -1, -1);
        SDVariable types = graph.input("token_type_ids", DataType.INT64, -1, -1);
        SDVariable positions = graph.input("position_ids", DataType.INT64, -1);
        SDVariable mask = graph.input("attention_mask", -1, -1);
        SDVariable x = encoder(graph, "", config, ids, types, positions, mask);
        this.hidden = x;
        // Mean over the real tokens, then unit length (clamped as torch.nn.functional.normalize does).
        SDVariable m = sd.expandDims(mask, 2);
        SDVariable summed = sd.sum(x.mul(m), 1);
        SDVariable counts = sd.math().max(sd.sum(m, 1), sd.constant(Nd4j.scalar(DataType.FLOAT, 1e-9f)));
        SDVariable mean = summed.div(counts);
        SDVariable norm = sd.math().max(sd.math().sqrt(sd.sum(sd.math().square(mean), true, 1)),
                sd.constant(Nd4j.scalar(DataType.FLOAT, 1e-12f)));
        this.sentence = mean.div(norm);
    }

    /**
     * Builds BERT's embeddings and layers into {@code g} under {@code prefix} ({@code ""} for an encoder export,
     * {@code "bert"} for Hugging Face's BertForPreTraining) and returns the last hidden states.
     */
    public static SDVariable encoder(Graph g, String prefix, BertConfig config, SDVariable ids, SDVariable types,
            SDVariable positions, SDVariable mask) {
        // BERT initialises embeddings with N(0, 0.02) (its initializer_range), not PyTorch's N(0, 1).
        SDVariable x = new Embedding(config.vocabSize(), config.hidden(), 0.02)
                .apply(g, Graph.join(prefix, "embeddings.word_embeddings"), ids)
                .add(new Embedding(config.maxPositions(), config.hidden(), 0.02)
                        .apply(g, Graph.join(prefix, "embeddings.position_embeddings"), positions))
                .add(new Embedding(config.typeVocabSize(), config.hidden(), 0.02)
                        .apply(g, Graph.join(prefix, "embeddings.token_type_embeddings"), types));
        x = new LayerNorm(config.hidden(), config.layerNormEps()).apply(g, Graph.join(prefix, "embeddings.LayerNorm"), x);
        TransformerBlock layer = config.layer();
        for (int i = 0; i < config.layers(); i++) {
            x = layer.apply(g, Graph.join(prefix, "encoder.layer." + i), x, mask, false);
        }
        return x;
    }

    public BertConfig config() {
        return config;
    }

    public Graph graph() {
        return graph;
    }

    /** The last layer's hidden states, {@code [B, T, hidden]}. */
    public SDVariable hiddenStates() {
        return hidden;
    }

    /** Mean-pooled, L2-normalised sentence embeddings, {@code [B, hidden]}. */
    public SDVariable sentenceEmbeddings() {
        return sentence;
    }

    /** The placeholders for a batch (segment ids from the batch when it has them, else all 0). */
    public Map<String, INDArray> inputs(TokenBatch batch) {
        Map<String, INDArray> in = inputs(batch.inputIds(), batch.attentionMask());
        if (batch.tokenTypeIds() != null) {
            in.put("token_type_ids", batch.tokenTypeIds());
        }
        return in;
    }

    /** The placeholders for a batch of ids and mask (single segment). */
    public Map<String, INDArray> inputs(INDArray inputIds, INDArray attentionMask) {
        long length = inputIds.size(1);
        config.checkLength(length);
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("input_ids", inputIds.castTo(DataType.INT64));
        in.put("token_type_ids", Nd4j.zeros(DataType.INT64, inputIds.shape()));
        in.put("position_ids", Nd4j.arange(0, length).castTo(DataType.INT64));
        in.put("attention_mask", attentionMask.castTo(DataType.FLOAT));
        return in;
    }

    /** Sentence embeddings for a batch, as a new array. */
    public INDArray sentenceEmbeddings(INDArray inputIds, INDArray attentionMask) {
        return graph.output(inputs(inputIds, attentionMask), sentence);
    }
}
