package dev.pictor.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.weights.OnnxModel;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The real all-MiniLM-L6-v2: our BERT with weights imported from the ONNX file against ONNX Runtime running that
 * same file, on the same token ids. Sentence embeddings (mean pooling, L2 norm) must agree to cosine ≥ 0.9999,
 * on both engines: the fused oneDNN kernels (what the encoder runs) and the graph (what training runs).
 */
class MiniLmOnnxParityTest {
    enum Engine { FUSED, GRAPH }

    static BertInference fused;

    static INDArray embed(Engine engine, TokenBatch batch) {
        return engine == Engine.FUSED ? fused.sentenceEmbeddings(batch)
                : bert.graph().output(bert.inputs(batch), bert.sentenceEmbeddings());
    }

    static Path onnxFile;
    static WordPieceTokenizer tokenizer;
    static BertEncoderModel bert;
    static OrtEnvironment env;
    static OrtSession session;

    @BeforeAll
    static void load() throws Exception {
        onnxFile = MiniLmFiles.onnx();
        tokenizer = WordPieceTokenizer.fromTokenizerJson(MiniLmFiles.tokenizerJson());
        bert = new BertEncoderModel(BertConfig.MINILM_L6, Graph.Mode.INFER, 0);
        bert.graph().load(MiniLmImporter.parameters(OnnxModel.read(onnxFile)), false);
        fused = new BertInference(BertConfig.MINILM_L6, bert.graph().state(), "");
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        session = env.createSession(onnxFile.toString(), options);
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
        fused.close();
    }

    /** ONNX Runtime's last hidden state, mean-pooled over the mask and L2-normalised, like ours. */
    static float[][] reference(TokenBatch batch) throws Exception {
        long[][] ids = batch.inputIds().toLongMatrix();
        long[][] mask = batch.attentionMask().toLongMatrix();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
        inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
        if (session.getInputNames().contains("token_type_ids")) {
            long[][] types = batch.tokenTypeIds() == null ? new long[ids.length][ids[0].length]
                    : batch.tokenTypeIds().toLongMatrix();
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
        }
        try (OrtSession.Result r = session.run(inputs)) {
            float[][][] hidden = (float[][][]) r.get(0).getValue();
            float[][] out = new float[ids.length][];
            for (int b = 0; b < ids.length; b++) {
                double[] sum = new double[hidden[b][0].length];
                int n = 0;
                for (int t = 0; t < ids[b].length; t++) {
                    if (mask[b][t] == 1) {
                        n++;
                        for (int d = 0; d < sum.length; d++) {
                            sum[d] += hidden[b][t][d];
                        }
                    }
                }
                double norm = 0;
                for (int d = 0; d < sum.length; d++) {
                    sum[d] /= n;
                    norm += sum[d] * sum[d];
                }
                norm = Math.sqrt(norm);
                out[b] = new float[sum.length];
                for (int d = 0; d < sum.length; d++) {
                    out[b][d] = (float) (sum[d] / norm);
                }
            }
            return out;
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static List<String> sentences() {
        List<String> out = new ArrayList<>();
        for (String s : TestSentences.all(200)) {
            if (!s.isBlank()) {
                out.add(s);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void batchedEmbeddingsMatchOnnxRuntime(Engine engine) throws Exception {
        List<String> all = sentences();
        assertThat(all).hasSizeGreaterThanOrEqualTo(200);
        double worst = 1;
        for (int from = 0; from < all.size(); from += 16) {
            TokenBatch batch = tokenizer.encodeBatch(all.subList(from, Math.min(all.size(), from + 16)));
            INDArray ours = embed(engine, batch);
            float[][] ref = reference(batch);
            for (int b = 0; b < ref.length; b++) {
                worst = Math.min(worst, cosine(ours.getRow(b).toFloatVector(), ref[b]));
            }
        }
        System.out.println("MiniLM batched (" + engine + "): worst cosine vs ONNX Runtime " + worst + " over " + all.size());
        assertThat(worst).isGreaterThanOrEqualTo(0.9999);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void singleSentencesMatchOnnxRuntime(Engine engine) throws Exception {
        List<String> all = sentences().subList(0, 60);
        double worst = 1;
        for (String s : all) {
            TokenBatch batch = tokenizer.encodeBatch(List.of(s));
            INDArray ours = embed(engine, batch);
            worst = Math.min(worst, cosine(ours.getRow(0).toFloatVector(), reference(batch)[0]));
        }
        System.out.println("MiniLM single (" + engine + "): worst cosine vs ONNX Runtime " + worst);
        assertThat(worst).isGreaterThanOrEqualTo(0.9999);
    }

    /** Sentence pairs with segment ids 0/1 (the encoder reads token_type_ids) against ONNX Runtime. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void sentencePairsMatchOnnxRuntime(Engine engine) throws Exception {
        List<String> all = sentences();
        List<String> firsts = all.subList(0, 48);
        List<String> seconds = all.subList(48, 96);
        double worst = 1;
        for (int from = 0; from < firsts.size(); from += 16) {
            TokenBatch batch = tokenizer.encodePairs(firsts.subList(from, from + 16), seconds.subList(from, from + 16));
            assertThat(batch.tokenTypeIds().maxNumber().intValue()).isEqualTo(1);
            INDArray ours = embed(engine, batch);
            float[][] ref = reference(batch);
            for (int b = 0; b < ref.length; b++) {
                worst = Math.min(worst, cosine(ours.getRow(b).toFloatVector(), ref[b]));
            }
        }
        System.out.println("MiniLM pairs (" + engine + "): worst cosine vs ONNX Runtime " + worst);
        assertThat(worst).isGreaterThanOrEqualTo(0.9999);
    }

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        TokenBatch b = tokenizer.encodeBatch(List.of("A man is playing a guitar.", "Someone plays the guitar.",
                "The stock market fell sharply today."));
        INDArray e = embed(Engine.FUSED, b);
        double similar = e.getRow(0).mul(e.getRow(1)).sumNumber().doubleValue();
        double unrelated = e.getRow(0).mul(e.getRow(2)).sumNumber().doubleValue();
        assertThat(similar).isGreaterThan(0.6).isGreaterThan(unrelated + 0.4);
    }
}
