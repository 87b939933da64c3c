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
        Graph g = new Graph(DataType.FLOAT, 1, Graph.Mode.TRAIN);
        SDVariable loss = DiffusionObjective.build(g, new UNet(config), new long[] {config.inChannels(), latent,
                latent}, tokens, config.contextDim(), Prediction.EPSILON);
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> data = new LinkedHashMap<>();
        data.put(DiffusionObjective.LATENTS, Nd4j.randn(DataType.FLOAT, batch, config.inChannels(), latent, latent));
        data.put(DiffusionObjective.CONTEXT, Nd4j.randn(DataType.FLOAT, batch, tokens, config.contextDim()));
        Map<String, INDArray> batch0 = DiffusionObjective.batches(step -> data, NoiseSchedule.scaledLinear(0.00085,
                0.012, 1000), Nd4j.zeros(DataType.FLOAT, tokens, config.contextDim()), 0.1, 7).batch(0);
        if (List.of(args).contains("--profile")) {
            var gradients = g.gradientRunner(loss, g.paramNames());
            for (int i = 0; i < steps + 2; i++) {
                if (i == 2) {
                    gradients.profiling(true);
                }
                gradients.compute(batch0);
            }
            gradients.profile().entrySet().stream().limit(30).forEach(e -> System.out.printf("  %-45s %8.2f ms"
                    + " (%d calls)%n", e.getKey(), e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps));
            return;
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
        if (List.of(args).contains("--steps")) {
            System.out.println("steps (ms): " + times.stream().map(t -> String.format("%.0f", t)).toList());
        }
        times.sort(Double::compare);
        long params = g.params().values().stream().mapToLong(v -> v.getArr().length()).sum();
        System.out.printf("Pictor, batch %d, %d parameters: median step %.1f ms (min %.1f, max %.1f)%n", batch, params,
                times.get(times.size() / 2), times.get(0), times.get(times.size() - 1));
    }
}
