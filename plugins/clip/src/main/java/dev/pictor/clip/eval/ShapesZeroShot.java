package dev.pictor.clip.eval;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.shapes.Colour;
import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.SceneObject;
import dev.pictor.datasets.shapes.Shape;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Zero-shot accuracy of a CLIP on fresh, clean Shapes-world renders of one object (never seen: drawn here with
 * their own seed), as issue 10 asks for it:
 * <ul>
 *   <li>colour × shape: each image classified among the 24 labels "a red circle", …, over the pairs trained on;</li>
 *   <li>held out: the same 24-way choice for images of the four pairs never in training;</li>
 *   <li>position: "… on the left / in the center / on the right" for objects in the middle row, and "… at the top /
 *       in the center / at the bottom" for objects in the middle column (the object named correctly).</li>
 * </ul>
 *
 * <pre>{@code
 * ShapesZeroShot.Report r = ShapesZeroShot.evaluate(tokenizer, text, image, 50, 7);
 * }</pre>
 */
public final class ShapesZeroShot {
    /** Accuracies in [0, 1] and the number of images behind each. */
    public record Report(double colourShape, int colourShapeImages, double heldOut, int heldOutImages,
            double horizontal, double vertical, int positionImages) {
        @Override
        public String toString() {
            return String.format("colour×shape %.1f%% (%d images), held-out pairs %.1f%% (%d), position: horizontal"
                    + " %.1f%%, vertical %.1f%% (%d each)", 100 * colourShape, colourShapeImages, 100 * heldOut,
                    heldOutImages, 100 * horizontal, 100 * vertical, positionImages);
        }
    }

    private ShapesZeroShot() {
    }

    static String object(Colour c, Shape s) {
        String words = c.word() + " " + s.word();
        return ("aeiou".indexOf(words.charAt(0)) >= 0 ? "an " : "a ") + words;
    }

    /** Evaluates with {@code perPair} images of every colour–shape pair; {@code seed} draws them. */
    public static Report evaluate(Tokenizer tokenizer, Encoder<TokenBatch> text, Encoder<INDArray> image, int perPair,
            long seed) {
        ShapesWorld world = new ShapesWorld(seed, Set.of());
        SplittableRandom r = new SplittableRandom(seed);
        List<String> labels = new ArrayList<>();
        List<int[]> pairs = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                labels.add(object(c, s));
                pairs.add(new int[] {c.ordinal(), s.ordinal()});
            }
        }
        INDArray labelVectors = unit(embed(text, tokenizer, labels));
        int trainedRight = 0;
        int trainedCount = 0;
        int heldRight = 0;
        int heldCount = 0;
        for (int p = 0; p < pairs.size(); p++) {
            Colour c = Colour.values()[pairs.get(p)[0]];
            Shape s = Shape.values()[pairs.get(p)[1]];
            List<float[]> images = new ArrayList<>();
            for (int i = 0; i < perPair; i++) {
                images.add(render(world, r, c, s, -1, -1));
            }
            int[] predicted = classify(image, images, labelVectors);
            boolean held = ShapesWorld.HELD_OUT.contains(new ShapesWorld.Pair(c, s));
            for (int guess : predicted) {
                if (held) {
                    heldCount++;
                    heldRight += guess == p ? 1 : 0;
                } else {
                    trainedCount++;
                    trainedRight += guess == p ? 1 : 0;
                }
            }
        }
        // positions: objects of trained pairs in the middle row (horizontal) or middle column (vertical)
        String[] across = {" on the left", " in the center", " on the right"};
        String[] down = {" at the top", " in the center", " at the bottom"};
        int horizontalRight = 0;
        int verticalRight = 0;
        int positionCount = 0;
        List<ShapesWorld.Pair> trained = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                if (!ShapesWorld.HELD_OUT.contains(new ShapesWorld.Pair(c, s))) {
                    trained.add(new ShapesWorld.Pair(c, s));
                }
            }
        }
        int total = perPair * 12;
        for (int i = 0; i < total; i++) {
            ShapesWorld.Pair pair = trained.get(r.nextInt(trained.size()));
            int column = r.nextInt(3);
            int row = r.nextInt(3);
            float[] h = render(world, r, pair.colour(), pair.shape(), column, 1);
            float[] v = render(world, r, pair.colour(), pair.shape(), 1, row);
            String o = object(pair.colour(), pair.shape());
            INDArray hLabels = unit(embed(text, tokenizer, List.of(o + across[0], o + across[1], o + across[2])));
            INDArray vLabels = unit(embed(text, tokenizer, List.of(o + down[0], o + down[1], o + down[2])));
            horizontalRight += classify(image, List.of(h), hLabels)[0] == column ? 1 : 0;
            verticalRight += classify(image, List.of(v), vLabels)[0] == row ? 1 : 0;
            positionCount++;
        }
        return new Report((double) trainedRight / trainedCount, trainedCount, (double) heldRight / heldCount,
                heldCount, (double) horizontalRight / positionCount, (double) verticalRight / positionCount,
                positionCount);
    }

    /**
     * A clean render of one object of this colour and shape, of random size, with its centre in the given column and
     * row (0–2; −1 for anywhere).
     */
    static float[] render(ShapesWorld world, SplittableRandom r, Colour c, Shape s, int column, int row) {
        while (true) {
            boolean large = r.nextBoolean();
            int size = large ? r.nextInt(SceneObject.LARGE_MIN, SceneObject.LARGE_MAX + 1)
                    : r.nextInt(SceneObject.SMALL_MIN, SceneObject.SMALL_MAX + 1);
            SceneObject o = new SceneObject(s, c, size, r.nextInt(ShapesWorld.SIZE - size + 1),
                    r.nextInt(ShapesWorld.SIZE - size + 1));
            if ((column < 0 || o.column() == column) && (row < 0 || o.row() == row)) {
                Scene scene = new Scene(List.of(o), object(c, s), object(c, s));
                return PairSource.chw(world.render(scene, true, 0), ShapesWorld.SIZE);
            }
        }
    }

    static INDArray embed(Encoder<TokenBatch> text, Tokenizer tokenizer, List<String> labels) {
        Encoder.Output o = text.embedding().orElseThrow();
        return text.encode(tokenizer.encodeBatch(labels), Set.of(o)).get(o);
    }

    /** The label each image is closest to. */
    static int[] classify(Encoder<INDArray> image, List<float[]> images, INDArray labelVectors) {
        int side = ShapesWorld.SIZE;
        float[] all = new float[images.size() * 3 * side * side];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * 3 * side * side, 3 * side * side);
        }
        INDArray x = Nd4j.create(all, new long[] {images.size(), 3, side, side}, 'c');
        Encoder.Output o = image.embedding().orElseThrow();
        INDArray v = unit(image.encode(x, Set.of(o)).get(o));
        INDArray sims = v.mmul(labelVectors.transpose());
        return sims.argMax(1).toIntVector();
    }

    static INDArray unit(INDArray v) {
        INDArray f = v.castTo(DataType.FLOAT);
        return f.divColumnVector(f.norm2(1).reshape(f.size(0), 1));
    }
}
