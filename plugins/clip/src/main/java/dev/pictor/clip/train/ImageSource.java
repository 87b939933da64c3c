package dev.pictor.clip.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.datasets.fashion.FashionMnist;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.train.Batches;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training images without captions, {@code [N, channels, side, side]} in [−1, 1], the same batch for the same step:
 * what an image autoencoder learns from (latent diffusion's KL autoencoder, DALL·E's dVAE).
 *
 * <pre>{@code
 * ImageSource images = ImageSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT));
 * INDArray batch = images.batch(step, 32);     // [32, 3, 32, 32]
 * }</pre>
 */
public interface ImageSource {
    INDArray batch(long step, int size);

    int channels();

    int side();

    /** Images to train on, and images of the same kind the model never sees, to measure it on. */
    record Split(ImageSource train, ImageSource held) {
    }

    /**
     * The images a training task's {@code data} option names: {@code shapes} (the world of {@code seed}; held out,
     * the world of {@code seed + 1000}) or {@code fashion} (the training split; held out, the test split) — one
     * reading for every image autoencoder's task ({@code trainAutoencoder}, {@code trainDvae}).
     */
    static Split of(TaskOptions options, long seed) {
        String data = options.string("data", "shapes");
        return switch (data) {
            case "shapes" -> new Split(shapes(new ShapesWorld(seed, ShapesWorld.HELD_OUT)),
                    shapes(new ShapesWorld(seed + 1000, ShapesWorld.HELD_OUT)));
            case "fashion" -> new Split(fashion(FashionMnist.load(FashionMnist.Split.TRAIN), seed),
                    fashion(FashionMnist.load(FashionMnist.Split.TEST), seed));
            default -> throw new BadInputException(options.where("data") + " must be 'shapes' or 'fashion', not '"
                    + data + "'");
        };
    }

    /** Clean Shapes-world renders (the world's held-out pairs never appear), RGB, 32 pixels, from scene {@code step·size}. */
    static ImageSource shapes(ShapesWorld world) {
        return new ImageSource() {
            @Override
            public INDArray batch(long step, int size) {
                int s = ShapesWorld.SIZE;
                float[] out = new float[size * 3 * s * s];
                for (int i = 0; i < size; i++) {
                    float[] chw = PairSource.chw(world.render(world.scene(step * size + i), true, 0), s);
                    System.arraycopy(chw, 0, out, i * chw.length, chw.length);
                }
                return Nd4j.create(out, new long[] {size, 3, s, s}, 'c');
            }

            @Override
            public int channels() {
                return 3;
            }

            @Override
            public int side() {
                return ShapesWorld.SIZE;
            }
        };
    }

    /**
     * Fashion-MNIST images, one channel, padded from 28 to 32 pixels with the background (−1) so that they halve
     * evenly ({@link #greyPadded}), in a seeded order that reshuffles every epoch ({@link Batches#shuffled}).
     */
    static ImageSource fashion(FashionMnist data, long seed) {
        int side = 32;
        PairSource pairs = PairSource.fashion(data, seed);
        Batches.Examples examples = new Batches.Examples() {
            @Override
            public Map<String, INDArray> example(long index) {
                return Map.of("x", Nd4j.create(greyPadded(pairs.pair(index).image(), FashionMnist.SIDE, side),
                        new long[] {1, side, side}, 'c'));
            }

            @Override
            public long size() {
                return data.size();
            }
        };
        return new ImageSource() {
            @Override
            public INDArray batch(long step, int size) {
                return Batches.shuffled(examples, size, seed).batch(step).get("x");
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public int side() {
                return side;
            }
        };
    }

    /**
     * One grey channel of a {@code [3, from, from]} picture whose channels are equal (as {@link PairSource#fashion}
     * gives Fashion-MNIST), centred on a {@code to × to} background of −1.
     */
    static float[] greyPadded(float[] chw, int from, int to) {
        float[] out = new float[to * to];
        Arrays.fill(out, -1f);
        int pad = (to - from) / 2;
        for (int y = 0; y < from; y++) {
            System.arraycopy(chw, y * from, out, (y + pad) * to + pad, from);
        }
        return out;
    }
}
