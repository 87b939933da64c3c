package dev.pictor.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.bert.BertConfig;
import dev.pictor.bert.BertEncoderModel;
import dev.pictor.bert.MiniLmImporter;
import dev.pictor.bert.WordPieceTokenizer;
import dev.pictor.api.weights.OnnxModel;
import dev.pictor.nn.Graph;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * all-MiniLM-L6-v2, Pictor against ONNX Runtime 1.28 on the same token ids, same machine, same JVM, 2 threads
 * each; rounds alternate between the two so that machine noise hits both alike. Times cover the model (token ids
 * in, hidden states or embeddings out), not tokenization.
 *
 * <pre>
 * mvn -B -DskipTests install -pl benchmarks -am
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' dev.pictor.bench.MiniLmVsOrt
 * </pre>
 */
public final class MiniLmVsOrt {
    private MiniLmVsOrt() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path dir = Files.createTempDirectory("minilm-bench");
        Path onnx = extract(dir, "/all-minilm-l6-v2.onnx");
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(extract(dir,
                "/all-minilm-l6-v2-tokenizer.json"));
        BertEncoderModel bert = new BertEncoderModel(BertConfig.MINILM_L6, Graph.Mode.INFER, 0);
        bert.graph().load(MiniLmImporter.parameters(OnnxModel.read(onnx)), false);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        options.setInterOpNumThreads(1);
        try (OrtSession session = env.createSession(onnx.toString(), options)) {
            List<String> sentences = new ArrayList<>();
            String[] words = ("the a quick brown fox jumps over lazy dog while people in the park watch and children"
                    + " play with their new red ball near an old tree that grows beside river").split(" ");
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < 32; i++) {
                StringBuilder sb = new StringBuilder();
                for (int w = 0; w < 10 + r.nextInt(15); w++) {
                    sb.append(words[r.nextInt(words.length)]).append(' ');
                }
                sentences.add(sb.toString().strip() + ".");
            }
            StringBuilder longText = new StringBuilder();
            for (int w = 0; w < 200; w++) {
                longText.append(words[w % words.length]).append(' ');
            }
            List<String> longOnes = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                longOnes.add(longText.toString());
            }
            report("batch 32, sentences of 12–26 tokens", tokenizer.encodeBatch(sentences), bert, env, session, rounds);
            report("batch 32 × 128 tokens", tokenizer.encodeBatch(longOnes), bert, env, session, rounds);
            report("1 sentence, 15 tokens", tokenizer.encodeBatch(List.of(
                    "A man is playing a guitar on the street near the old station.")), bert, env, session, rounds * 5);
        }
    }

    private static void report(String what, TokenBatch batch, BertEncoderModel bert, OrtEnvironment env,
            OrtSession session, int rounds) throws Exception {
        Map<String, INDArray> ours = bert.inputs(batch.inputIds(), batch.attentionMask());
        long[][] ids = batch.inputIds().toLongMatrix();
        long[][] mask = batch.attentionMask().toLongMatrix();
        for (int i = 0; i < 3; i++) {
            bert.graph().outputShared(ours, bert.hiddenStates());
            ort(env, session, ids, mask);
        }
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            bert.graph().outputShared(ours, bert.hiddenStates());
            a[i] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            ort(env, session, ids, mask);
            b[i] = (System.nanoTime() - t) / 1e6;
        }
        double pm = median(a);
        double om = median(b);
        int n = ids.length;
        System.out.printf("| %s | %d × %d | %.2f ms (%.1f texts/s) | %.2f ms (%.1f texts/s) | %.2f |%n", what, n,
                ids[0].length, pm, n * 1000 / pm, om, n * 1000 / om, om / pm);
    }

    private static void ort(OrtEnvironment env, OrtSession session, long[][] ids, long[][] mask) throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(env, ids));
        in.put("attention_mask", OnnxTensor.createTensor(env, mask));
        if (session.getInputNames().contains("token_type_ids")) {
            in.put("token_type_ids", OnnxTensor.createTensor(env, new long[ids.length][ids[0].length]));
        }
        try (OrtSession.Result r = session.run(in)) {
            r.get(0);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static Path extract(Path dir, String resource) throws Exception {
        Path p = dir.resolve(resource.substring(1));
        try (InputStream in = MiniLmVsOrt.class.getResourceAsStream(resource)) {
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }
}
