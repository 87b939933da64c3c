package dev.pictor.nn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.run.Cancellation;
import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TrainerTest {
    @TempDir
    Path dir;

    /** y = sin(x · w / 2) for a fixed w: 256 examples, seeded. */
    static Batches.Examples data() {
        Random r = new Random(3);
        float[][] xs = new float[256][4];
        float[] ys = new float[256];
        double[] w = {0.8, -1.2, 0.5, 1.5};
        for (int i = 0; i < 256; i++) {
            double dot = 0;
            for (int j = 0; j < 4; j++) {
                xs[i][j] = (float) r.nextGaussian();
                dot += xs[i][j] * w[j];
            }
            ys[i] = (float) Math.sin(0.5 * dot);
        }
        return new Batches.Examples() {
            public Map<String, INDArray> example(long index) {
                return Map.of("x", Nd4j.createFromArray(xs[(int) index]), "y", Nd4j.scalar(ys[(int) index]));
            }

            public long size() {
                return 256;
            }
        };
    }

    record Model(Graph graph, SDVariable loss) {
    }

    static Model model(long seed) {
        Graph g = new Graph(DataType.FLOAT, seed, Graph.Mode.TRAIN);
        SDVariable x = g.input("x", -1, 4);
        SDVariable y = g.input("y", -1);
        SDVariable h = Activation.SILU.apply(g, new Linear(4, 32, true).apply(g, "fc1", x));
        SDVariable out = new Linear(32, 1, true).apply(g, "fc2", h).reshape(-1);
        SDVariable loss = g.sameDiff().math().square(out.sub(y)).mean();
        return new Model(g, loss);
    }

    private static Trainer.Config.Builder config(long steps) {
        return Trainer.Config.builder(steps).learningRate(LearningRateSchedule.warmupCosine(1e-2, 10, 200, 1e-3))
                .clipNorm(1.0).emaDecay(0.9).gcEvery(0);
    }

    @Test
    void learnsAndTheLossFalls() {
        Model m = model(1);
        List<Double> losses = new ArrayList<>();
        TrainingListener record = (step, total, loss, lr, norm) -> losses.add(loss);
        Trainer.Result r = new Trainer(m.graph(), m.loss(), Batches.shuffled(data(), 32, 5), config(200).build())
                .listener(record.andThen(TrainingListener.logging(50))).run();
        assertThat(r.stepsDone()).isEqualTo(200);
        double first = losses.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(190, 200).stream().mapToDouble(d -> d).average().orElseThrow();
        assertThat(last).as("mean loss of the last 10 steps vs the first 10").isLessThan(first / 5);
    }

    @Test
    void sameSeedSameWeightsBitForBit() {
        Map<String, INDArray> a = train(model(7), 40);
        Map<String, INDArray> b = train(model(7), 40);
        a.forEach((k, v) -> assertThat(v).as(k).isEqualTo(b.get(k)));
        Map<String, INDArray> c = train(model(8), 40);
        assertThat(c.get("fc1.weight")).isNotEqualTo(a.get("fc1.weight"));
    }

    private Map<String, INDArray> train(Model m, long steps) {
        new Trainer(m.graph(), m.loss(), Batches.shuffled(data(), 32, 5), config(steps).build()).run();
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        m.graph().state().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    @Test
    void aResumedRunContinuesExactlyAsAnUninterruptedOne() {
        List<Double> straight = new ArrayList<>();
        Model a = model(11);
        Trainer ta = new Trainer(a.graph(), a.loss(), Batches.shuffled(data(), 32, 5), config(30).build())
                .listener((s, t, loss, lr, n) -> straight.add(loss));
        ta.run();

        Path ckpt = dir.resolve("ckpt.safetensors");
        List<Double> resumed = new ArrayList<>();
        Model b = model(11);
        Cancellation stop = new Cancellation();
        Trainer first = new Trainer(b.graph(), b.loss(), Batches.shuffled(data(), 32, 5),
                config(30).checkpoint(ckpt, 0).build()).cancellation(stop)
                .listener((s, t, loss, lr, n) -> {
                    resumed.add(loss);
                    if (s == 16) {
                        stop.cancel();
                    }
                });
        Trainer.Result cut = first.run();
        assertThat(cut.cancelled()).isTrue();
        assertThat(cut.stepsDone()).isEqualTo(17);
        assertThat(Checkpoint.read(ckpt).nextStep()).isEqualTo(17);

        Model c2 = zeroedModel(11); // other starting weights: everything must come from the checkpoint
        Trainer second = new Trainer(c2.graph(), c2.loss(), Batches.shuffled(data(), 32, 5),
                config(30).checkpoint(ckpt, 0).build()).resumeIfPresent()
                .listener((s, t, loss, lr, n) -> resumed.add(loss));
        assertThat(second.run().stepsDone()).isEqualTo(13);
        assertThat(resumed).containsExactlyElementsOf(straight);
        a.graph().state().forEach((k, v) -> assertThat(c2.graph().state().get(k)).as(k).isEqualTo(v));
        ta.emaWeights().forEach((k, v) -> assertThat(second.emaWeights().get(k)).as("ema " + k).isEqualTo(v));
    }

    private static Model zeroedModel(long seed) {
        // A fresh model whose seed matches the checkpoint's, but whose weights are overwritten.
        Model m = model(seed);
        m.graph().params().values().forEach(p -> p.getArr().assign(0.123));
        return m;
    }

    @Test
    void aCheckpointFromAnotherSeedIsRefused() {
        Path ckpt = dir.resolve("c.safetensors");
        Model a = model(1);
        new Trainer(a.graph(), a.loss(), Batches.shuffled(data(), 8, 5), config(2).checkpoint(ckpt, 0).build()).run();
        Model b = model(2);
        assertThatThrownBy(() -> new Trainer(b.graph(), b.loss(), Batches.shuffled(data(), 8, 5),
                config(2).checkpoint(ckpt, 0).build()).resumeIfPresent())
                .hasMessageContaining("seed 1, this run has seed 2");
    }

    @Test
    void mixedBatchesDrawFromEachSourceByWeight() {
        Batches.Examples zeros = i -> Map.of("v", Nd4j.scalar(DataType.FLOAT, 0f).reshape(1));
        Batches.Examples ones = i -> Map.of("v", Nd4j.scalar(DataType.FLOAT, 1f).reshape(1));
        Batches mix = Batches.mixed(List.of(zeros, ones), new double[] {3, 1}, 400, 9);
        INDArray v = mix.batch(0).get("v");
        assertThat(v.shape()).containsExactly(400, 1);
        double share = v.sumNumber().doubleValue() / 400;
        assertThat(share).isBetween(0.18, 0.32);
        assertThat(mix.batch(0).get("v")).isEqualTo(v);
        assertThat(mix.batch(1).get("v")).isNotEqualTo(v);
    }

    @Test
    void shuffledEpochsVisitEveryExampleOnce() {
        Batches.Examples idx = new Batches.Examples() {
            public Map<String, INDArray> example(long i) {
                return Map.of("i", Nd4j.scalar(DataType.FLOAT, (float) i).reshape(1));
            }

            public long size() {
                return 10;
            }
        };
        Batches b = Batches.shuffled(idx, 5, 1);
        java.util.Set<Float> seen = new java.util.HashSet<>();
        for (float f : b.batch(0).get("i").toFloatVector()) {
            seen.add(f);
        }
        for (float f : b.batch(1).get("i").toFloatVector()) {
            seen.add(f);
        }
        assertThat(seen).hasSize(10);
    }
}
