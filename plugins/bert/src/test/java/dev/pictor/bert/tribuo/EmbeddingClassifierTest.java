package dev.pictor.bert.tribuo;

import dev.pictor.evaluation.EmbeddingClassifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.weights.OnnxModel;
import dev.pictor.bert.BertConfig;
import dev.pictor.bert.BertEncoderModel;
import dev.pictor.bert.MiniLmFiles;
import dev.pictor.bert.MiniLmImporter;
import dev.pictor.bert.WordPieceTokenizer;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.datasets.shapes.PromptParser;
import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;

/**
 * MiniLM embeddings of two-object Shapes prompts, labelled by their relation (above, below, left of, right of),
 * classified by Tribuo's logistic regression and evaluated by Tribuo.
 */
class EmbeddingClassifierTest {
    @Test
    void classifiesRelationsFromMiniLmEmbeddings() throws Exception {
        Path onnx = MiniLmFiles.onnx();
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(MiniLmFiles.tokenizerJson());
        BertEncoderModel bert = new BertEncoderModel(BertConfig.MINILM_L6, Graph.Mode.INFER, 0);
        bert.graph().load(MiniLmImporter.parameters(OnnxModel.read(onnx)), false);
        String sha = dev.pictor.api.artifact.Sha256.of(onnx);

        ShapesWorld world = new ShapesWorld(11, ShapesWorld.HELD_OUT);
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; texts.size() < 640; i++) {
            Scene s = world.scene(i);
            PromptParser.parse(s.prompt()).relation().ifPresent(r -> {
                texts.add(s.prompt());
                labels.add(r.name().toLowerCase(java.util.Locale.ROOT));
            });
        }
        INDArray vectors = embed(tokenizer, bert, texts);
        var train = EmbeddingClassifier.dataset(vectors.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 480)),
                labels.subList(0, 480), "Shapes world v1 seed 11, two-object prompts 0-479", "minilm-l6", sha);
        var test = EmbeddingClassifier.dataset(vectors.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(480, 640)),
                labels.subList(480, 640), "Shapes world v1 seed 11, two-object prompts 480-639", "minilm-l6", sha);
        Model<Label> model = EmbeddingClassifier.train(train, 7);
        LabelEvaluation eval = EmbeddingClassifier.evaluate(model, test);
        String card = EmbeddingClassifier.card(model, eval, "minilm-l6", sha);
        System.out.printf("Tribuo on MiniLM: accuracy %.4f, macro-F1 %.4f%n", eval.accuracy(), eval.macroAveragedF1());
        assertThat(eval.accuracy()).isGreaterThan(0.8);
        assertThat(eval.macroAveragedF1()).isGreaterThan(0.8);
        assertThat(card).contains("accuracy").contains("macro-F1").contains(sha).contains("LinearSGDTrainer")
                .contains("two-object prompts 0-479");
        assertThat(eval.getConfusionMatrix().getDomain().size()).isEqualTo(4);
    }

    private static INDArray embed(WordPieceTokenizer tokenizer, BertEncoderModel bert, List<String> texts) {
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += 32) {
            TokenBatch b = tokenizer.encodeBatch(texts.subList(from, Math.min(texts.size(), from + 32)));
            parts.add(bert.sentenceEmbeddings(b.inputIds(), b.attentionMask()));
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }
}
