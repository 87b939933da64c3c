package dev.pictor.dalle.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pictor.dalle.DalleConfig;
import dev.pictor.nn.Graph;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DalleTrainingTest {
    @Test
    void textPositionsCarryTheirShareAndImagePositionsTheRest() {
        DalleConfig c = new DalleConfig(20, 4, 8, 2, 16, 2, 2);
        float[] w = DalleTraining.positionWeights(c, 1.0 / 8);
        assertThat(w).hasSize(7);
        double text = 0;
        double image = 0;
        for (int p = 0; p < w.length; p++) {
            if (p < 3) {
                text += w[p];
            } else {
                image += w[p];
            }
        }
        assertThat(text).isCloseTo(1.0 / 8, within(1e-6));
        assertThat(image).isCloseTo(7.0 / 8, within(1e-6));
    }

    @Test
    void learnsCaptionsAndCodesAndResumesExactly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var world = new dev.pictor.datasets.shapes.ShapesWorld(1, dev.pictor.datasets.shapes.ShapesWorld.HELD_OUT);
        var pairs = dev.pictor.clip.train.PairSource.shapes(world);
        var tokenizer = dev.pictor.clip.ClipBpeTokenizer.fromMerges(
                dev.pictor.clip.BpeTrainer.train(pairs.corpus(400), 600), 12);
        var dvaeConfig = DvaeTrainingTest.TINY;
        var dvae = new dev.pictor.dalle.DvaeQuantizer(dvaeConfig,
                new DvaeTraining(dvaeConfig, dev.pictor.clip.train.ImageSource.shapes(world),
                        DvaeTraining.Settings.defaults(1)).weights());
        DalleConfig c = new DalleConfig(tokenizer.vocabularySize(), 12, dvaeConfig.vocabSize(),
                dvaeConfig.codeSize(), 32, 2, 2);
        java.util.function.Function<java.nio.file.Path, DalleTraining> make = ckpt -> new DalleTraining(c, dvae,
                tokenizer, pairs, new DalleTraining.Settings(30, 8, 3e-3, 3, 1.0 / 8, 0.1, 0, 2, ckpt, 5));
        DalleTraining whole = make.apply(null);
        java.util.List<Double> losses = new java.util.ArrayList<>();
        whole.run((step, total, loss, lr, norm) -> losses.add(loss), dev.pictor.api.run.Cancellation.never());
        assertThat(losses).hasSize(30).allMatch(Double::isFinite);
        assertThat(losses.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow())
                .as("loss falls").isLessThan(losses.subList(0, 5).stream().mapToDouble(Double::doubleValue)
                        .average().orElseThrow());
        java.nio.file.Path ckpt = dir.resolve("dalle.ckpt");
        var stop = new dev.pictor.api.run.Cancellation();
        make.apply(ckpt).run((step, total, loss, lr, norm) -> {
            if (step == 12) {
                stop.cancel();
            }
        }, stop);
        DalleTraining resumed = make.apply(ckpt);
        resumed.run(null, dev.pictor.api.run.Cancellation.never());
        whole.weights().forEach((k, v) -> assertThat(resumed.weights().get(k).equals(v)).as(k).isTrue());
    }

    @Test
    void theWeightedCrossEntropyIsTheSumOfWeightedNegativeLogLikelihoods() {
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.TRAIN);
        SDVariable logits = g.input("logits", -1, 2, 3);
        SDVariable targets = g.input("targets", DataType.INT64, -1, 2);
        float[] w = {0.25f, 0.75f};
        SDVariable loss = DalleTraining.weightedCrossEntropy(g, logits, targets, w, 3);
        float[][][] l = {{{1, 2, 0.5f}, {0, -1, 3}}, {{0.2f, 0.1f, 0}, {2, 2, 2}}};
        long[][] t = {{1, 2}, {0, 1}};
        double expected = 0;
        for (int b = 0; b < 2; b++) {
            for (int p = 0; p < 2; p++) {
                double z = 0;
                for (float v : l[b][p]) {
                    z += Math.exp(v);
                }
                expected += w[p] * -(l[b][p][(int) t[b][p]] - Math.log(z));
            }
        }
        INDArray got = g.output(Map.of("logits", Nd4j.create(l), "targets", Nd4j.createFromArray(t)), loss);
        assertThat(got.getDouble(0)).isCloseTo(expected / 2, within(1e-5));
    }

    @Test
    void theCrossEntropyStaysFiniteWhenOneLogitLeadsByFar() {
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.TRAIN);
        SDVariable logits = g.input("logits", -1, 2, 3);
        SDVariable targets = g.input("targets", DataType.INT64, -1, 2);
        SDVariable loss = DalleTraining.weightedCrossEntropy(g, logits, targets, new float[] {0.5f, 0.5f}, 3);
        long[][] t = {{1, 0}};
        // a target trailing by 60: exact; by 300 (its probability underflows in float): finite, capped at 10⁴ nats
        INDArray near = g.output(Map.of("logits", Nd4j.create(new float[][][] {{{60, 0, 0}, {0, 0, 0}}}), "targets",
                Nd4j.createFromArray(t)), loss);
        assertThat(near.getDouble(0)).isCloseTo(0.5 * 60 + 0.5 * Math.log(3), within(1e-3));
        INDArray far = g.output(Map.of("logits", Nd4j.create(new float[][][] {{{300, 0, 0}, {0, 0, 0}}}), "targets",
                Nd4j.createFromArray(t)), loss);
        assertThat(far.getDouble(0)).isFinite().isLessThanOrEqualTo(0.5 * 1e4 + 0.5 * Math.log(3) + 1e-3);
    }
}
