package dev.pictor.bench;

import dev.pictor.api.run.Cancellation;
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
        List<Double> times = new ArrayList<>();
        long[] last = {System.nanoTime()};
        training.run((step, total, loss, lr, norm) -> {
            long now = System.nanoTime();
            if (step >= 2) {
                times.add((now - last[0]) / 1e6);
            }
            last[0] = now;
        }, Cancellation.never());
        times.sort(Double::compare);
        long params = training.model().graph().params().values().stream().mapToLong(v -> v.getArr().length()).sum();
        System.out.printf("Pictor, batch %d, %d parameters: median step %.1f ms (min %.1f, max %.1f)%n", batch, params,
                times.get(times.size() / 2), times.get(0), times.get(times.size() - 1));
    }
}
