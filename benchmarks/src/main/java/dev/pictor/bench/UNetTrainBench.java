package dev.pictor.bench;

import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.ldm.UNet;
import dev.pictor.ldm.UNetConfig;
import dev.pictor.ldm.train.DiffusionObjective;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Batches;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pictor's time for one latent-diffusion training step of a UNet (the project's Trainer: L_simple forward, backward,
 * clipping, AdamW), for the side-by-side comparison with PyTorch 1.13 eager
 * (benchmarks/src/main/python/unet_train_step.py runs upstream's UNetModel with the same config, batch and threads).
 * The config is an export folder's (export_unet.py); one batch is made up front and fed every step, as the PyTorch
 * script does.
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.UNetTrainBench /tmp/unet-small 32 8 [--profile]
 * </pre>
 */
public final class UNetTrainBench {
    private UNetTrainBench() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/unet-small");
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        UNetConfig config = UNetConfig.read(dir.resolve("config.json"));
        Map<String, INDArray> reference = dev.pictor.api.weights.Safetensors.read(dir.resolve("reference.safetensors"));
        long latent = reference.get("x").size(2);
        int tokens = (int) reference.get("context").size(1);
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        boolean profile = List.of(args).contains("--profile");
        List<Double> times = stepTimes(config, latent, tokens, batch, steps, profile);
        if (profile) {
            return;
        }
        if (List.of(args).contains("--steps")) {
            System.out.println("steps (ms): " + times.stream().map(t -> String.format("%.0f", t)).toList());
        }
        List<Double> sorted = new ArrayList<>(times);
        sorted.sort(Double::compare);
        System.out.printf("Pictor, batch %d, %d parameters: median step %.1f ms (min %.1f, max %.1f)%n", batch,
                parameters(config, latent, tokens), sorted.get(sorted.size() / 2), sorted.get(0),
                sorted.get(sorted.size() - 1));
    }

    /** The UNet's parameter count. */
    static long parameters(UNetConfig config, long side, int tokens) {
        Graph g = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        new UNet(config).apply(g, g.input("x", -1, config.inChannels(), side, side), g.input("t", DataType.LONG, -1),
                g.input("context", -1, tokens, config.contextDim()));
        return g.shapes().values().stream().mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (x, y) -> x * y)).sum();
    }

    /**
     * The times of {@code steps} training steps (ms, in order) after two of warm-up: L_simple on random latents
     * {@code [batch, in, latent, latent]} and random context, clipping at 1, AdamW. With {@code profile}, prints where
     * the forward and backward passes spend their time instead and returns nothing.
     */
    static List<Double> stepTimes(UNetConfig config, long latent, int tokens, int batch, int steps, boolean profile) {
        Graph g = new Graph(DataType.FLOAT, 1, Graph.Mode.TRAIN);
        SDVariable loss = DiffusionObjective.build(g, new UNet(config), new long[] {config.inChannels(), latent,
                latent}, tokens, config.contextDim(), Prediction.EPSILON);
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> data = new LinkedHashMap<>();
        data.put(DiffusionObjective.LATENTS, Nd4j.randn(DataType.FLOAT, batch, config.inChannels(), latent, latent));
        data.put(DiffusionObjective.CONTEXT, Nd4j.randn(DataType.FLOAT, batch, tokens, config.contextDim()));
        Map<String, INDArray> batch0 = DiffusionObjective.batches(step -> data, NoiseSchedule.scaledLinear(0.00085,
                0.012, 1000), Nd4j.zeros(DataType.FLOAT, tokens, config.contextDim()), 0.1, 7).batch(0);
        if (profile) {
            var gradients = g.gradientRunner(loss, g.paramNames());
            for (int i = 0; i < steps + 2; i++) {
                if (i == 2) {
                    gradients.profiling(true);
                }
                gradients.compute(batch0);
            }
            gradients.profile().entrySet().stream().limit(30).forEach(e -> System.out.printf("  %-45s %8.2f ms"
                    + " (%d calls)%n", e.getKey(), e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps));
            return List.of();
        }
        Batches fixed = step -> batch0;
        Trainer.Config run = Trainer.Config.builder(steps + 2).learningRate(LearningRateSchedule.constant(1e-4))
                .adam(0.9, 0.999, 1e-8, 0.01).clipNorm(1.0).gcEvery(10).build();
        List<Double> times = new ArrayList<>();
        long[] last = {System.nanoTime()};
        new Trainer(g, loss, fixed, run).listener((step, total, l, lr, norm) -> {
            long now = System.nanoTime();
            if (step >= 2) {
                times.add((now - last[0]) / 1e6);
            }
            last[0] = now;
        }).run();
        return times;
    }
}
