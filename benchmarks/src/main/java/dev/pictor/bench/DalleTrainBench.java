package dev.pictor.bench;

import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.clip.train.PairSource;
import dev.pictor.dalle.DalleConfig;
import dev.pictor.dalle.DvaeConfig;
import dev.pictor.dalle.DvaeQuantizer;
import dev.pictor.dalle.train.DalleTraining;
import dev.pictor.dalle.train.DvaeTraining;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pictor's time for one training step of shapes-dalle's transformer (the project's Trainer: forward, the weighted
 * cross-entropy, backward, clipping, AdamW), for the side-by-side comparison with PyTorch
 * (benchmarks/src/main/python/dalle_train_step.py prints PyTorch's for the same model, batch and threads). One batch
 * made beforehand is fed every step, as the PyTorch script does: the step, not the dVAE's encoding of the pictures.
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.DalleTrainBench 64 10 [width layers heads]
 * </pre>
 */
public final class DalleTrainBench {
    private DalleTrainBench() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int layers = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int heads = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        ShapesWorld world = new ShapesWorld(1, ShapesWorld.HELD_OUT);
        PairSource pairs = PairSource.shapes(world);
        ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMergesFile(
                Path.of("zoo/src/main/resources/pictor/zoo/shapes-ldm/text/bpe.txt"), 18);
        DvaeConfig dvaeConfig = new DvaeConfig(3, 64, 1, 3, 512, 64, 32);
        DvaeQuantizer dvae = new DvaeQuantizer(dvaeConfig, new DvaeTraining(dvaeConfig, ImageSource.shapes(world),
                DvaeTraining.Settings.defaults(10)).weights());   // untrained: the step's cost does not depend on it
        DalleConfig config = new DalleConfig(tokenizer.vocabularySize(), 18, 512, 8, width, layers, heads);
        DalleTraining training = new DalleTraining(config, dvae, tokenizer, pairs,
                new DalleTraining.Settings(steps + 2, batch, 1e-3, 1, 1.0 / 8, 0, 0, 1, null, 0));
        Map<String, INDArray> batch0 = training.inputs(0);
        Trainer.Config run = Trainer.Config.builder(steps + 2).learningRate(LearningRateSchedule.constant(1e-4))
                .adam(0.9, 0.96, 1e-8, 0.0).clipNorm(1.0).gcEvery(10).build();
        TrainStepTimer.report(training.graph(), training.loss(), batch0, run, batch);
    }
}
