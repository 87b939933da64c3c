package dev.pictor.bench;

import dev.pictor.clip.BpeTrainer;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.train.ClipTraining;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.util.ArrayList;
import java.util.List;

/**
 * Pictor's time for one contrastive training step of shapes-clip's model (the project's Trainer: forward, loss,
 * backward, clipping, AdamW), for the side-by-side comparison with PyTorch
 * (benchmarks/src/main/python/clip_train_step.py prints PyTorch's for the same model, batch and threads). Captions
 * are padded to the whole context, as upstream trains. Also prints the share of the machine's measured fp32 peak.
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.ClipTrainBench 128 10
 * </pre>
 */
public final class ClipTrainBench {
    private ClipTrainBench() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        PairSource source = PairSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT, 3.0));
        ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMerges(BpeTrainer.train(source.corpus(20_000), 1024), 32);
        ClipConfig config = ClipTraining.smallConfig(tokenizer.vocabularySize(), 32, 32, 8, 128, 4, 4, 128, 3, 128);
        ClipTraining training = new ClipTraining(config, tokenizer, source,
                new ClipTraining.Settings(steps + 2, batch, 1e-3, 1, 0, 1, null, 0));
        training.batches().fullContext(true);
        if (List.of(args).contains("--profile")) {
            profile(training, steps);
            return;
        }
        // One batch made up front and fed every step, as the PyTorch script does: the step, not data generation.
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> batch0 = training.batches().batch(0);
        dev.pictor.nn.train.Trainer.Config run = dev.pictor.nn.train.Trainer.Config.builder(steps + 2)
                .learningRate(dev.pictor.nn.train.LearningRateSchedule.constant(1e-4)).adam(0.9, 0.98, 1e-6, 0.2)
                .clipNorm(1.0).gcEvery(10).build();
        TrainStepTimer.report(training.model().graph(), training.loss(), batch0, run, batch);
    }

    /** Time per op type of the gradient executor and per kernel of the fused stacks, over {@code steps} steps. */
    private static void profile(ClipTraining training, int steps) {
        dev.pictor.nn.Graph graph = training.model().graph();
        dev.pictor.nn.Graph.Gradients gradients = graph.gradientRunner(training.loss(), graph.paramNames());
        List<dev.pictor.nn.fused.TransformerStackTraining> stacks = new ArrayList<>();
        for (var op : graph.sameDiff().getFunction("grad").ops()) {
            if (op instanceof dev.pictor.nn.fused.TransformerStackOp s) {
                stacks.add(s.kernels());
            }
        }
        var batch = training.batches().batch(0);
        var adam = new dev.pictor.nn.train.AdamW(0.9, 0.98, 1e-6, 0.2);
        long[] split = new long[3];
        for (int step = 0; step < steps + 2; step++) {
            if (step == 2) {
                gradients.profiling(true);
                stacks.forEach(s -> s.profiling(true));
            }
            long t0 = System.nanoTime();
            var result = gradients.compute(batch);
            long t1 = System.nanoTime();
            var grads = new java.util.LinkedHashMap<>(result.gradients());
            dev.pictor.nn.train.GradientClipping.clipByGlobalNorm(grads, 1.0);
            long t2 = System.nanoTime();
            adam.step(graph.state(), grads, 1e-4);
            long t3 = System.nanoTime();
            if (step >= 2) {
                split[0] += t1 - t0;
                split[1] += t2 - t1;
                split[2] += t3 - t2;
            }
        }
        System.out.printf("per step: gradients %.1f ms, clipping %.1f ms, AdamW %.1f ms%n", split[0] / 1e6 / steps,
                split[1] / 1e6 / steps, split[2] / 1e6 / steps);
        System.out.println("graph ops, ms per step:");
        print(gradients.profile(), steps);
        for (int i = 0; i < stacks.size(); i++) {
            System.out.println("fused stack " + i + ", ms per step:");
            print(stacks.get(i).profile(), steps);
        }
    }

    private static void print(java.util.Map<String, long[]> profile, int steps) {
        double total = profile.values().stream().mapToLong(v -> v[0]).sum() / 1e6 / steps;
        System.out.printf("  total %.1f%n", total);
        profile.entrySet().stream().limit(25).forEach(e -> System.out.printf("  %-45s %8.2f  (%d calls)%n", e.getKey(),
                e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps));
    }
}
