package dev.pictor.bert;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.LayerNorm;
import dev.pictor.nn.layers.Linear;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT with its two pretraining heads, Hugging Face's {@code BertForPreTraining} names: the encoder under
 * {@code bert.}, the masked-LM head ({@code cls.predictions.transform.dense} → GELU → LayerNorm → the word
 * embeddings, tied, plus {@code cls.predictions.bias}) and the next-sentence head ({@code bert.pooler.dense} with
 * tanh on [CLS], then {@code cls.seq_relationship}). The loss is MLM cross-entropy over the chosen positions plus
 * NSP cross-entropy.
 *
 * <pre>{@code
 * BertPretraining model = new BertPretraining(config, 7);
 * new Trainer(model.graph(), model.loss(), model.batches(data, 16, 7), Trainer.Config.builder(1000).build()).run();
 * }</pre>
 */
public final class BertPretraining {
    private final BertConfig config;
    private final Graph graph;
    private final SDVariable mlmLoss;
    private final SDVariable nspLoss;
    private final SDVariable loss;

    public BertPretraining(BertConfig config, long seed) {
        this.config = config;
        this.graph = new Graph(DataType.FLOAT, seed, Graph.Mode.TRAIN);
        var sd = graph.sameDiff();
        int h = config.hidden();
        SDVariable ids = graph.input("input_ids", DataType.INT64, -1, -1);
        SDVariable types = graph.input("token_type_ids", DataType.INT64, -1, -1);
        SDVariable positions = graph.input("position_ids", DataType.INT64, -1);
        SDVariable mask = graph.input("attention_mask", -1, -1);
        SDVariable targets = graph.input("mlm_targets", DataType.INT64, -1, -1);
        SDVariable weights = graph.input("mlm_weights", -1, -1);
        SDVariable nspLabels = graph.input("nsp_label", DataType.INT64, -1);
        SDVariable hidden = BertEncoderModel.encoder(graph, "bert", config, ids, types, positions, mask);

        // Masked LM: scores over the vocabulary at every position; the loss reads the chosen ones.
        SDVariable t = new Linear(h, h, true).apply(graph, "cls.predictions.transform.dense", hidden);
        t = new LayerNorm(h, config.layerNormEps()).apply(graph, "cls.predictions.transform.LayerNorm",
                Activation.GELU.apply(graph, t));
        SDVariable words = graph.param("bert.embeddings.word_embeddings.weight", Init.normal(0.02), config.vocabSize(),
                h); // the word embeddings, tied (created above by the encoder; same name and shape)
        SDVariable logits = sd.mmul(t.reshape(-1, h), words, false, true, false)
                .add(graph.param("cls.predictions.bias", Init.zeros(), config.vocabSize()));
        SDVariable logProbs = sd.nn().logSoftmax(logits);
        SDVariable oneHot = sd.oneHot(targets.reshape(-1), config.vocabSize(), -1, 1.0, 0.0, DataType.FLOAT);
        SDVariable w = weights.reshape(-1);
        SDVariable picked = sd.sum(logProbs.mul(oneHot), 1).mul(w);
        SDVariable count = sd.math().max(sd.sum(w), sd.constant(Nd4j.scalar(DataType.FLOAT, 1f)));
        this.mlmLoss = sd.sum(picked).neg().div(count);

        // Next sentence: the [CLS] vector, pooled with tanh, scored IsNext (0) / NotNext (1).
        SDVariable first = hidden.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
        SDVariable pooled = sd.math().tanh(new Linear(h, h, true).apply(graph, "bert.pooler.dense", first));
        SDVariable nspLogits = new Linear(h, 2, true).apply(graph, "cls.seq_relationship", pooled);
        SDVariable nspOneHot = sd.oneHot(nspLabels, 2, -1, 1.0, 0.0, DataType.FLOAT);
        this.nspLoss = sd.sum(sd.nn().logSoftmax(nspLogits).mul(nspOneHot), 1).mean().neg();
        this.loss = mlmLoss.add(nspLoss);
    }

    public Graph graph() {
        return graph;
    }

    public SDVariable loss() {
        return loss;
    }

    public SDVariable mlmLoss() {
        return mlmLoss;
    }

    public SDVariable nspLoss() {
        return nspLoss;
    }

    /** Batches of {@link PretrainingData} with the position ids the graph also needs. */
    public dev.pictor.nn.train.Batches batches(PretrainingData data, int batchSize, long seed) {
        dev.pictor.nn.train.Batches rows = dev.pictor.nn.train.Batches.shuffled(data, batchSize, seed);
        return step -> {
            Map<String, INDArray> b = new LinkedHashMap<>(rows.batch(step));
            b.put("position_ids", Nd4j.arange(0, b.get("input_ids").size(1)).castTo(DataType.INT64));
            return b;
        };
    }
}
