package dev.pictor.ldm.eval;

import dev.pictor.datasets.fashion.FashionMnist;
import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.Linear;
import dev.pictor.nn.train.Batches;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An independent judge of Fashion-MNIST pictures: a small convolutional network (two 3×3 convolutions with ReLU and
 * 2×2 max pooling, a hidden layer of 128, ten classes) trained here on the training split, with nothing shared with
 * the generative models it judges — not their data pipeline, not their CLIP. Its own accuracy on the test split is
 * measured and reported beside what it says of generated images, so a reader can tell its errors from the
 * generator's.
 *
 * <pre>{@code
 * FashionClassifier judge = FashionClassifier.train(FashionMnist.load(Split.TRAIN), 3, 1);
 * double acc = judge.accuracy(FashionMnist.load(Split.TEST));
 * int[] labels = judge.classify(pixels);   // [N, 1, 28, 28] in [-1, 1]
 * }</pre>
 */
public final class FashionClassifier {
    private static final int SIDE = FashionMnist.SIDE;
    private final Graph graph;
    private final SDVariable logits;

    private FashionClassifier(Graph graph, SDVariable logits) {
        this.graph = graph;
        this.logits = logits;
    }

    private static SDVariable network(Graph g, SDVariable x) {
        var sd = g.sameDiff();
        org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig pool =
                org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig.builder().kH(2).kW(2).sH(2)
                        .sW(2).isNHWC(false).build();
        SDVariable h = sd.nn().relu(Conv2d.same(1, 32, 3).apply(g, "conv1", x), 0);
        h = sd.cnn().maxPooling2d(h, pool);
        h = sd.nn().relu(Conv2d.same(32, 64, 3).apply(g, "conv2", h), 0);
        h = sd.cnn().maxPooling2d(h, pool);
        h = h.reshape(-1, 64L * 7 * 7);
        h = sd.nn().relu(new Linear(64L * 7 * 7, 128, true).apply(g, "fc1", h), 0);
        return new Linear(128, 10, true).apply(g, "fc2", h);
    }

    /** Trains on {@code train} for {@code epochs} passes in a seeded order (batches of 128, AdamW, cosine decay). */
    public static FashionClassifier train(FashionMnist train, int epochs, long seed) {
        Graph g = new Graph(DataType.FLOAT, seed, Graph.Mode.TRAIN);
        SDVariable x = g.input("x", -1, 1, SIDE, SIDE);
        SDVariable labels = g.input("labels", -1, 10);
        SDVariable out = network(g, x);
        SDVariable loss = g.sameDiff().loss().softmaxCrossEntropy(labels, out, null);
        int batch = 128;
        int n = train.size();
        long steps = (long) epochs * (n / batch);
        Trainer.Config config = Trainer.Config.builder(steps).learningRate(LearningRateSchedule.warmupCosine(2e-3,
                50, steps, 1e-5)).adam(0.9, 0.999, 1e-8, 0.0).clipNorm(5.0).gcEvery(50).build();
        Batches.Examples examples = new Batches.Examples() {
            @Override
            public Map<String, INDArray> example(long index) {
                int i = (int) index;
                float[] oneHot = new float[10];
                oneHot[train.label(i)] = 1;
                return Map.of("x", pixels(train, new int[] {i}).reshape(1, SIDE, SIDE), "labels",
                        Nd4j.create(oneHot, new long[] {10}, 'c'));
            }

            @Override
            public long size() {
                return n;
            }
        };
        new Trainer(g, loss, Batches.shuffled(examples, batch, seed), config).run();
        Graph infer = new Graph(DataType.FLOAT, seed, Graph.Mode.INFER);
        SDVariable logits = network(infer, infer.input("x", -1, 1, SIDE, SIDE));
        infer.load(g.state(), true);
        return new FashionClassifier(infer, logits);
    }

    /** Images {@code idx} of {@code data} as {@code [N, 1, 28, 28]} in [−1, 1]. */
    static INDArray pixels(FashionMnist data, int[] idx) {
        float[] v = new float[idx.length * SIDE * SIDE];
        for (int i = 0; i < idx.length; i++) {
            byte[] img = data.image(idx[i]);
            for (int p = 0; p < SIDE * SIDE; p++) {
                v[i * SIDE * SIDE + p] = (img[p] & 0xff) / 127.5f - 1f;
            }
        }
        return Nd4j.create(v, new long[] {idx.length, 1, SIDE, SIDE}, 'c');
    }

    /** The most likely class of each picture ({@code [N, 1, 28, 28]} in [−1, 1]). */
    public int[] classify(INDArray pictures) {
        INDArray l = graph.output(Map.of("x", pictures.castTo(DataType.FLOAT)), logits);
        return l.argMax(1).toIntVector();
    }

    /** Share of {@code data} classified as labelled. */
    public double accuracy(FashionMnist data) {
        int right = 0;
        for (int from = 0; from < data.size(); from += 500) {
            int[] idx = new int[Math.min(500, data.size() - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            int[] got = classify(pixels(data, idx));
            for (int i = 0; i < idx.length; i++) {
                right += got[i] == data.label(idx[i]) ? 1 : 0;
            }
        }
        return (double) right / data.size();
    }
}
