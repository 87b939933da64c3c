package dev.pictor.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.ldm.UNetConfig;
import dev.pictor.ldm.UNetInference;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The latent-diffusion UNet, Pictor's fused engine ({@link UNetInference}) against ONNX Runtime 1.28 running the
 * same weights exported from CompVis's {@code UNetModel} (benchmarks/src/main/python/export_unet.py), same inputs,
 * same JVM, 2 threads each, rounds alternating ({@link SideBySide}). A call is one denoiser evaluation: latents,
 * timesteps and context in, predicted noise out. Batch 2 is one classifier-free-guidance step of one image. Before
 * timing, both engines' outputs are checked against upstream's PyTorch output.
 *
 * <pre>
 * /usr/bin/python3 benchmarks/src/main/python/export_unet.py /tmp/sd /tmp/unet-small small
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.UNetVsOrt /tmp/unet-small 7 [batch…] [--profile]
 * </pre>
 */
public final class UNetVsOrt {
    private UNetVsOrt() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/unet-small");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        java.util.List<Integer> batches = new java.util.ArrayList<>();
        boolean profile = false;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--profile")) {
                profile = true;
            } else {
                batches.add(Integer.parseInt(args[i]));
            }
        }
        if (batches.isEmpty()) {
            batches = java.util.List.of(1, 2, 16);
        }
        UNetConfig config = UNetConfig.read(dir.resolve("config.json"));
        Map<String, INDArray> weights = Safetensors.read(dir.resolve("model.safetensors"));
        Map<String, INDArray> reference = Safetensors.read(dir.resolve("reference.safetensors"));
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("- ONNX Runtime " + env.getVersion() + ", 2 intra-op threads; model " + dir + ": " + config);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        options.setInterOpNumThreads(1);
        long latent = reference.get("x").size(2);
        long tokens = reference.get("context").size(1);
        try (UNetInference unet = new UNetInference(config, weights);
                OrtSession ort = env.createSession(dir.resolve("unet.onnx").toString(), options)) {
            INDArray x = reference.get("x");
            INDArray t = reference.get("timesteps");
            INDArray c = reference.get("context");
            System.out.printf("- parity with PyTorch (max |Δ| / max |ref|): Pictor %.1e, ORT %.1e%n",
                    ClipVsOrt.diff(unet.predict(x, t, c), reference.get("eps")),
                    ClipVsOrt.diff(ort(env, ort, x, t, c), reference.get("eps")));
            System.out.println();
            System.out.println("| case | Pictor | ONNX Runtime | Pictor speed / ORT |");
            System.out.println("|---|---|---|---|");
            for (int batch : batches) {
                INDArray xs = Nd4j.randn(DataType.FLOAT, batch, config.inChannels(), latent, latent);
                INDArray ts = Nd4j.linspace(DataType.FLOAT, 999, -900.0 / Math.max(1, batch - 1), batch).reshape(batch);
                INDArray cs = Nd4j.randn(DataType.FLOAT, batch, tokens, config.contextDim());
                report(String.format("UNet %d × %d latents, %d context tokens, batch %d", latent, latent, tokens,
                        batch), () -> unet.predict(xs, ts, cs), () -> ort(env, ort, xs, ts, cs), rounds,
                        batch == 1 ? 8 : 2);
                if (profile) {
                    unet.profile(true);
                    for (int i = 0; i < 20; i++) {
                        unet.predict(xs, ts, cs);
                    }
                    Map<String, long[]> p = unet.profile();
                    unet.profile(false);
                    p.forEach((k, v) -> System.out.printf("    %-28s %8.3f ms/call (%d per call)%n", k,
                            v[0] / 1e6 / 20, v[1] / 20));
                }
            }
        }
    }

    private static void report(String what, SideBySide.Call ours, SideBySide.Call theirs, int rounds, int block)
            throws Exception {
        double[] f = new double[rounds * block];
        double[] o = new double[rounds * block];
        for (int i = 0; i < rounds; i++) {
            SideBySide.block(ours, f, i * block, block);
            SideBySide.block(theirs, o, i * block, block);
        }
        double fm = SideBySide.median(f);
        double om = SideBySide.median(o);
        System.out.printf("| %s | %.2f ms | %.2f ms | **%.2f** |%n", what, fm, om, om / fm);
    }

    static INDArray ort(OrtEnvironment env, OrtSession session, INDArray x, INDArray t, INDArray c) throws Exception {
        try (OnnxTensor xt = tensor(env, x); OnnxTensor tt = tensor(env, t); OnnxTensor ct = tensor(env, c);
                OrtSession.Result r = session.run(Map.of("x", xt, "timesteps", tt, "context", ct))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer fb = out.getFloatBuffer();
            float[] data = new float[fb.remaining()];
            fb.get(data);
            return Nd4j.create(data, out.getInfo().getShape(), 'c');
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, INDArray a) throws Exception {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(a.castTo(DataType.FLOAT).dup('c').data().asFloat()),
                a.shape());
    }
}
