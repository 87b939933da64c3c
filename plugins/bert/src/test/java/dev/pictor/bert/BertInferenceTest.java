package dev.pictor.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import java.util.ArrayList;
import dev.pictor.nn.Graph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The fused-kernel BERT against the graph BERT (itself checked against PyTorch layer by layer and ONNX Runtime). */
class BertInferenceTest {
    static final BertConfig TINY = new BertConfig(50, 32, 2, 4, 64, 16, 2, 1e-12);

    static Map<String, INDArray> randomWeights(BertEncoderModel model) {
        Map<String, INDArray> w = new HashMap<>();
        Nd4j.getRandom().setSeed(9);
        model.graph().state().forEach((k, v) -> w.put(k, k.contains("LayerNorm")
                ? Nd4j.rand(DataType.FLOAT, v.shape()).addi(0.5) : Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.3)));
        return w;
    }

    /** Three sequences of 9 with 0, 2 and 5 padding tokens, and two segments each. */
    static TokenBatch batch() {
        Random r = new Random(4);
        List<Encoding> encodings = new ArrayList<>();
        long[][] types = new long[3][9];
        int[] pad = {0, 2, 5};
        for (int b = 0; b < 3; b++) {
            int real = 9 - pad[b];
            int[] ids = new int[real];
            List<String> tokens = new ArrayList<>();
            for (int t = 0; t < real; t++) {
                ids[t] = r.nextInt(50);
                tokens.add("t" + ids[t]);
                types[b][t] = t >= real / 2 ? 1 : 0;
            }
            int[] ones = new int[real];
            java.util.Arrays.fill(ones, 1);
            encodings.add(new Encoding(ids, tokens, ones, false));
        }
        TokenBatch padded = TokenBatch.pad(encodings, 0, 9, 50);
        return new TokenBatch(padded.inputIds(), padded.attentionMask(), encodings, 50, Nd4j.createFromArray(types));
    }


    @Test
    void hiddenStatesAndSentenceEmbeddingsMatchTheGraph() {
        BertEncoderModel model = new BertEncoderModel(TINY, Graph.Mode.INFER, 0);
        model.graph().load(randomWeights(model), true);
        TokenBatch batch = batch();
        Map<String, INDArray> graph = model.graph().output(model.inputs(batch), model.hiddenStates(),
                model.sentenceEmbeddings());
        try (BertInference fused = new BertInference(TINY, model.graph().state(), "")) {
            INDArray hidden = fused.hiddenStates(batch);
            // Padded positions are computed too (their keys are masked for everyone else): compare all of them.
            dev.pictor.api.testing.Tolerance.assertClose(hidden, graph.get(model.hiddenStates().name()), 0, "hidden states");
            INDArray sentences = fused.sentenceEmbeddings(batch);
            dev.pictor.api.testing.Tolerance.assertClose(sentences, graph.get(model.sentenceEmbeddings().name()), 0,
                    "sentence embeddings");
            for (double n : sentences.norm2(1).toDoubleVector()) {
                assertThat(n).isCloseTo(1, within());
            }
        }
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-5);
    }

    @Test
    void readsBertForPreTrainingNamesUnderAPrefix() {
        BertEncoderModel model = new BertEncoderModel(TINY, Graph.Mode.INFER, 0);
        Map<String, INDArray> weights = randomWeights(model);
        model.graph().load(weights, true);
        Map<String, INDArray> prefixed = new HashMap<>();
        weights.forEach((k, v) -> prefixed.put("bert." + k, v));
        TokenBatch batch = batch();
        try (BertInference plain = new BertInference(TINY, weights, "");
                BertInference underBert = new BertInference(TINY, prefixed, "bert")) {
            assertThat(underBert.sentenceEmbeddings(batch)).isEqualTo(plain.sentenceEmbeddings(batch));
        }
    }

    @Test
    void badInputIsNamed() {
        BertEncoderModel model = new BertEncoderModel(TINY, Graph.Mode.INFER, 0);
        Map<String, INDArray> weights = randomWeights(model);
        try (BertInference fused = new BertInference(TINY, weights, "")) {
            TokenBatch tooLong = TokenBatch.pad(List.of(new Encoding(new int[17], java.util.Collections.nCopies(17, "a"),
                    new int[17], false)), 0, 17, 50);
            assertThatThrownBy(() -> fused.hiddenStates(tooLong)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("17 tokens is longer than the model's 16");
        }
        Map<String, INDArray> wrongShape = new HashMap<>(weights);
        wrongShape.put("encoder.layer.1.intermediate.dense.weight", Nd4j.zeros(DataType.FLOAT, 32, 64));
        assertThatThrownBy(() -> new BertInference(TINY, wrongShape, "")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("encoder.layer.1.intermediate.dense.weight have shape [32, 64] but the model"
                        + " needs [64, 32]");
        weights.remove("embeddings.LayerNorm.bias");
        assertThatThrownBy(() -> new BertInference(TINY, weights, ""))
                .hasMessageContaining("weights lack embeddings.LayerNorm.bias");
    }
}
