package dev.pictor.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipCheckpoint;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipResNetInference;
import dev.pictor.clip.ClipTextInference;
import dev.pictor.clip.ClipVisionInference;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP ViT-B/32 or RN50, Pictor's fused engines against ONNX Runtime 1.28 running the same weights exported from OpenAI's
 * module (benchmarks/src/main/python/export_clip.py), same inputs, same JVM, 2 threads each, rounds alternating
 * ({@link SideBySide}). Text: Pictor as it runs for embeddings (each batch only as long as its longest text — exact,
 * since attention is causal and the vector is read at the end token) and over all 77 positions (what ORT computes);
 * images: 224 × 224. Times cover the model (ids or normalised pixels in, projected vectors out). Before timing, both
 * engines' outputs are checked against upstream's PyTorch outputs.
 *
 * <pre>
 * /usr/bin/python3 benchmarks/src/main/python/export_clip.py /tmp/clip_model.py /tmp/clip-bench
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.ClipVsOrt /tmp/clip-bench 7 [--images]
 * </pre>
 */
public final class ClipVsOrt {
    private ClipVsOrt() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/clip-bench");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        ClipConfig config = ClipConfig.read(dir.resolve("config.json"));
        Map<String, INDArray> weights = ClipCheckpoint.read(dir.resolve("model.safetensors"));
        Map<String, INDArray> reference = Safetensors.read(dir.resolve("reference.safetensors"));
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("- ONNX Runtime " + env.getVersion() + ", 2 intra-op threads; model " + dir);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        options.setInterOpNumThreads(1);
        boolean vit = config.vision() instanceof ClipConfig.VisionTransformer;
        try (ClipTextInference text = new ClipTextInference(config, weights);
                ClipVisionInference vision = vit ? new ClipVisionInference(config, weights) : null;
                ClipResNetInference resnet = vit ? null : new ClipResNetInference(config, weights);
                OrtSession textOrt = env.createSession(dir.resolve("text.onnx").toString(), options);
                OrtSession imageOrt = env.createSession(dir.resolve("image.onnx").toString(), options)) {
            // parity first: both engines against upstream's PyTorch output
            INDArray refIds = reference.get("input_ids");
            INDArray refPixels = reference.get("pixel_values");
            System.out.printf("- parity with PyTorch (max |Δ| / max |ref|): text Pictor %.1e, ORT %.1e; image Pictor"
                    + " %.1e, ORT %.1e%n",
                    diff(text.encode(refIds, false).projected(), reference.get("text_embeds")),
                    diff(ort(env, textOrt, "input_ids", refIds), reference.get("text_embeds")),
                    diff(vit ? vision.encode(refPixels).projected() : resnet.encode(refPixels).projected(),
                            reference.get("image_embeds")),
                    diff(ort(env, imageOrt, "pixel_values", refPixels), reference.get("image_embeds")));

            ClipBpeTokenizer tokenizer = ClipBpeTokenizer.standard();
            List<String> prompts = prompts(32);
            System.out.println();
            System.out.println("| case | Pictor | ONNX Runtime | Pictor speed / ORT |");
            System.out.println("|---|---|---|---|");
            // --images: the image tower alone (the text rows take most of a run's time)
            for (int batch : List.of(args).contains("--images") ? new int[0] : new int[] {1, 32}) {
                TokenBatch b = tokenizer.encodeBatch(prompts.subList(0, batch));
                INDArray ids = b.inputIds();
                int longest = (int) b.attentionMask().sum(1).maxNumber().longValue();
                report(String.format("text, batch %d (prompts of ≤ %d tokens), embeddings", batch, longest), batch,
                        "texts", () -> text.encode(ids, false), () -> ort(env, textOrt, "input_ids", ids), rounds);
                report(String.format("text, batch %d, all 77 positions", batch), batch, "texts",
                        () -> text.encode(ids, true), () -> ort(env, textOrt, "input_ids", ids), rounds);
            }
            for (int batch : new int[] {1, 32}) {
                INDArray pixels = Nd4j.rand(DataType.FLOAT, batch, 3, config.vision().imageSize(),
                        config.vision().imageSize()).subi(0.5).muli(4);
                report((vit ? "ViT" : "ResNet") + " image 224 × 224, batch " + batch, batch, "images",
                        vit ? () -> vision.encode(pixels) : () -> resnet.encode(pixels),
                        () -> ort(env, imageOrt, "pixel_values", pixels), rounds);
            }
        }
    }

    private static void report(String what, int n, String unit, SideBySide.Call ours, SideBySide.Call theirs,
            int rounds) throws Exception {
        int block = n == 1 ? 6 : 2;
        double[] f = new double[rounds * block];
        double[] o = new double[rounds * block];
        for (int i = 0; i < rounds; i++) {
            SideBySide.block(ours, f, i * block, block);
            SideBySide.block(theirs, o, i * block, block);
        }
        double fm = SideBySide.median(f);
        double om = SideBySide.median(o);
        System.out.printf("| %s | %.2f ms (%.1f %s/s) | %.2f ms (%.1f %s/s) | **%.2f** |%n", what, fm,
                n * 1000 / fm, unit, om, n * 1000 / om, unit, om / fm);
    }

    /** Prompts of 4–14 words, as users write them. */
    static List<String> prompts(int n) {
        String[] words = ("a photo of the small red blue green dog cat bird car tree house on in at with near under"
                + " a big old new beach street field river city night").split(" ");
        Random r = new Random(1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 4 + r.nextInt(11); w++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            out.add(sb.toString().strip());
        }
        return out;
    }

    static INDArray ort(OrtEnvironment env, OrtSession session, String input, INDArray x) throws Exception {
        OnnxTensor t = x.dataType() == DataType.INT64 ? OnnxTensor.createTensor(env, x.toLongMatrix())
                : OnnxTensor.createTensor(env, FloatBuffer.wrap(x.castTo(DataType.FLOAT).dup('c').data().asFloat()),
                        x.shape());
        try (t; OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][] out = (float[][]) r.get(0).getValue();
            return Nd4j.createFromArray(out);
        }
    }

    static double diff(INDArray a, INDArray b) {
        INDArray x = a.castTo(DataType.DOUBLE);
        INDArray y = b.castTo(DataType.DOUBLE);
        return x.sub(y).amaxNumber().doubleValue() / y.amaxNumber().doubleValue();
    }
}
