package dev.pictor.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.bert.BertConfig;
import dev.pictor.bert.BertEncoderModel;
import dev.pictor.bert.BertInference;
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
    private static boolean PROFILE;

    private MiniLmVsOrt() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        boolean withGraph = Arrays.asList(args).contains("--graph");
        PROFILE = Arrays.asList(args).contains("--profile");
        Path dir = Files.createTempDirectory("minilm-bench");
        dir.toFile().deleteOnExit();
        Path onnx = extract(dir, "/all-minilm-l6-v2.onnx");
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(extract(dir,
                "/all-minilm-l6-v2-tokenizer.json"));
        BertEncoderModel bert = new BertEncoderModel(BertConfig.MINILM_L6, Graph.Mode.INFER, 0);
        bert.graph().load(MiniLmImporter.parameters(OnnxModel.read(onnx)), false);
        BertInference fused = new BertInference(BertConfig.MINILM_L6, bert.graph().state(), "");
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        System.out.println("- ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + ", 2 intra-op threads");
        System.out.println("| case | batch × length | Pictor (fused kernels) |" + (withGraph ? " Pictor graph (ratio) |" : "")
                + " ONNX Runtime | Pictor speed / ORT |");
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
            report("batch 32, sentences of 12–26 tokens", tokenizer.encodeBatch(sentences), bert, fused, withGraph, env, session, rounds);
            report("batch 32 × 128 tokens", tokenizer.encodeBatch(longOnes), bert, fused, withGraph, env, session, rounds);
            report("1 sentence, 15 tokens", tokenizer.encodeBatch(List.of(
                    "A man is playing a guitar on the street near the old station.")), bert, fused, withGraph, env, session, rounds * 5);
            // What users send: texts of varied length, batched as they come. Every batch has another padded length,
            // so kernels built per shape are reused less than with one sentence repeated.
            List<String> varied = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                StringBuilder sb = new StringBuilder();
                int n = 3 + r.nextInt(i % 10 == 0 ? 90 : 30);
                for (int w = 0; w < n; w++) {
                    sb.append(words[r.nextInt(words.length)]).append(' ');
                }
                varied.add(sb.toString().strip() + ".");
            }
            for (int size : new int[] {1, 8, 32}) {
                List<TokenBatch> batches = new ArrayList<>();
                for (int from = 0; from < varied.size(); from += size) {
                    batches.add(tokenizer.encodeBatch(varied.subList(from, Math.min(varied.size(), from + size))));
                }
                reportStream("150 texts of 4–93 words, batches of " + size, batches, fused, env, session,
                        rounds);
            }
        }
    }

    private static void report(String what, TokenBatch batch, BertEncoderModel bert, BertInference fused,
            boolean withGraph, OrtEnvironment env, OrtSession session, int rounds) throws Exception {
        Map<String, INDArray> ours = bert.inputs(batch.inputIds(), batch.attentionMask());
        long[][] ids = batch.inputIds().toLongMatrix();
        long[][] mask = batch.attentionMask().toLongMatrix();
        for (int i = 0; i < 3; i++) {
            fused.hiddenStates(batch);
            if (withGraph) {
                bert.graph().outputShared(ours, bert.hiddenStates());
            }
            ort(env, session, ids, mask);
        }
        // Rounds alternate engines so that machine noise hits both alike, but each runs a block of calls after a
        // pause, and the first of a block is dropped: both keep their threads spinning for a while after a call,
        // which would otherwise tax whichever engine runs next.
        int block = ids.length * ids[0].length > 1000 ? 2 : 6;
        double[] f = new double[rounds * block];
        double[] g = new double[rounds * block];
        double[] o = new double[rounds * block];
        for (int i = 0; i < rounds; i++) {
            SideBySide.block(() -> fused.hiddenStates(batch), f, i * block, block);
            if (withGraph) {
                SideBySide.block(() -> bert.graph().outputShared(ours, bert.hiddenStates()), g, i * block, block);
            }
            SideBySide.block(() -> ort(env, session, ids, mask), o, i * block, block);
        }
        if (PROFILE) {
            printProfile(fused, () -> fused.hiddenStates(batch), rounds);
        }
        double fm = SideBySide.median(f);
        double om = SideBySide.median(o);
        int n = ids.length;
        String graph = withGraph ? String.format(" %.2f ms (%.2f) |", SideBySide.median(g), om / SideBySide.median(g)) : "";
        System.out.printf("| %s | %d × %d | %.2f ms (%.1f texts/s) |%s %.2f ms (%.1f texts/s) | **%.2f** |%n", what,
                n, ids[0].length, fm, n * 1000 / fm, graph, om, n * 1000 / om, om / fm);
    }

    /** One pass over every batch per engine and round, rounds alternating; prints the median pass. */
    private static void reportStream(String what, List<TokenBatch> batches, BertInference fused, OrtEnvironment env,
            OrtSession session, int rounds) throws Exception {
        List<long[][]> ids = new ArrayList<>();
        List<long[][]> masks = new ArrayList<>();
        int tokens = 0;
        for (TokenBatch b : batches) {
            ids.add(b.inputIds().toLongMatrix());
            masks.add(b.attentionMask().toLongMatrix());
            tokens += (int) b.attentionMask().sumNumber().longValue();
        }
        SideBySide.Call ours = () -> batches.forEach(fused::hiddenStates);
        SideBySide.Call theirs = () -> {
            for (int i = 0; i < ids.size(); i++) {
                ort(env, session, ids.get(i), masks.get(i));
            }
        };
        double[] f = new double[rounds];
        double[] o = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            SideBySide.block(ours, f, i, 1);
            SideBySide.block(theirs, o, i, 1);
        }
        if (PROFILE) {
            printProfile(fused, ours, 1);
        }
        double fm = SideBySide.median(f);
        double om = SideBySide.median(o);
        int n = batches.stream().mapToInt(TokenBatch::size).sum();
        System.out.printf("| %s | %d texts, %d tokens | %.1f ms (%.1f texts/s) | %.1f ms (%.1f texts/s) | **%.2f** |%n",
                what, n, tokens, fm, n * 1000 / fm, om, n * 1000 / om, om / fm);
    }

    /**
     * Runs {@code call} {@code calls} times with the layers' kernels timed, and prints each kernel's milliseconds per
     * call and share, and how much of the call's wall time the kernels were.
     */
    private static void printProfile(BertInference fused, SideBySide.Call call, int calls) throws Exception {
        fused.encoderLayers().profiling(true);
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        long wall = System.nanoTime() - start;
        Map<String, long[]> profile = fused.encoderLayers().profile();
        fused.encoderLayers().profiling(false);
        long kernels = 0;
        for (long[] v : profile.values()) {
            kernels += v[0];
        }
        StringBuilder sb = new StringBuilder("  profile of the layers (ms per call, share):");
        for (var e : profile.entrySet()) {
            sb.append(String.format(" %s %.2f (%.0f%%);", e.getKey(), e.getValue()[0] / 1e6 / calls,
                    100.0 * e.getValue()[0] / kernels));
        }
        System.out.println(sb + String.format(" kernels %.2f of %.2f ms per call", kernels / 1e6 / calls,
                wall / 1e6 / calls));
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


    private static Path extract(Path dir, String resource) throws Exception {
        Path p = dir.resolve(resource.substring(1));
        try (InputStream in = MiniLmVsOrt.class.getResourceAsStream(resource)) {
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            p.toFile().deleteOnExit();
        }
        return p;
    }
}
