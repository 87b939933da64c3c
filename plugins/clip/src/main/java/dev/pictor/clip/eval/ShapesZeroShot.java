package dev.pictor.clip.eval;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.task.ImageSet;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.shapes.Colour;
import dev.pictor.datasets.shapes.Relation;
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
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Zero-shot accuracy of a CLIP on fresh, clean Shapes-world renders of one object (never seen: drawn here with
 * their own seed), as issue 10 asks for it:
 * <ul>
 *   <li>colour × shape: each image classified among the 24 labels "a red circle", …, over the pairs trained on;</li>
 *   <li>held out: the same 24-way choice for images of the four pairs never in training;</li>
 *   <li>position: "… on the left / in the center / on the right" for objects in the middle row, and "… at the top /
 *       in the center / at the bottom" for objects in the middle column (the object named correctly);</li>
 *   <li>relations: two objects of which only one relation holds ({@link ShapesWorld#related}), classified among
 *       "A above B", "A below B", "A to the left of B", "A to the right of B" with A either of the two — a model that
 *       reads captions as bags of words cannot tell which object a relation is about and scores about 50%.</li>
 * </ul>
 *
 * <pre>{@code
 * ShapesZeroShot.Report r = ShapesZeroShot.evaluate(tokenizer, text, image, 50, 7);
 * }</pre>
 */
public final class ShapesZeroShot {
    /** Accuracies and recalls in [0, 1] and the number of images behind each. */
    public record Report(double colourShape, int colourShapeImages, double heldOut, int heldOutImages,
            double horizontal, double vertical, int positionImages, double relation, int relationImages,
            double[] recall, int retrievalImages) {
        @Override
        public String toString() {
            return String.format("colour×shape %.1f%% (%d images), held-out pairs %.1f%% (%d), position: horizontal"
                    + " %.1f%%, vertical %.1f%% (%d each), relations %.1f%% (%d); text→image Recall@1/5/10 %.1f%% /"
                    + " %.1f%% / %.1f%% (%d held-back scenes)", 100 * colourShape, colourShapeImages, 100 * heldOut,
                    heldOutImages, 100 * horizontal, 100 * vertical, positionImages, 100 * relation, relationImages,
                    100 * recall[0], 100 * recall[1], 100 * recall[2], retrievalImages);
        }
    }

    /**
     * Text→image retrieval over {@code count} scenes of a world the model never trained on (another seed; one or
     * two objects, clean renders): each scene's prompt searches all the images, ranked as {@code pictor search}
     * ranks ({@link dev.pictor.api.task.ImageSearch#rank}); Recall@K is the share whose own image is in the top K.
     */
    public static double[] recall(Tokenizer tokenizer, Encoder<TokenBatch> text, Encoder<INDArray> image, int count,
            long seed) {
        ShapesWorld world = new ShapesWorld(seed, ShapesWorld.HELD_OUT);
        List<float[]> images = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        List<java.nio.file.Path> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scene s = world.scene(i);
            images.add(PairSource.chw(world.render(s, true, i), ShapesWorld.SIZE));
            prompts.add(s.prompt());
            ids.add(java.nio.file.Path.of(String.format("%05d", i)));
        }
        INDArray imageVectors = embedImages(image, images);
        INDArray textVectors = ImageSet.unit(embed(text, tokenizer, prompts));
        double[][] sims = textVectors.mmul(imageVectors.transpose()).castTo(DataType.DOUBLE).toDoubleMatrix();
        int[] ks = {1, 5, 10};
        double[] recall = new double[ks.length];
        for (int q = 0; q < count; q++) {
            List<dev.pictor.api.task.ImageSearch.Hit> hits = dev.pictor.api.task.ImageSearch.rank(ids, sims[q], 10);
            for (int k = 0; k < ks.length; k++) {
                for (int r = 0; r < ks[k]; r++) {
                    if (hits.get(r).image().equals(ids.get(q))) {
                        recall[k]++;
                        break;
                    }
                }
            }
        }
        for (int k = 0; k < ks.length; k++) {
            recall[k] /= count;
        }
        return recall;
    }

    /** Position and relation questions per image of each colour–shape pair (1,200 for the recipe's 100). */
    private static final int QUESTIONS_PER_PAIR = 12;

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
        INDArray labelVectors = ImageSet.unit(embed(text, tokenizer, labels));
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
        int total = perPair * QUESTIONS_PER_PAIR;
        for (int i = 0; i < total; i++) {
            ShapesWorld.Pair pair = trained.get(r.nextInt(trained.size()));
            int column = r.nextInt(3);
            int row = r.nextInt(3);
            float[] h = render(world, r, pair.colour(), pair.shape(), column, 1);
            float[] v = render(world, r, pair.colour(), pair.shape(), 1, row);
            String o = object(pair.colour(), pair.shape());
            INDArray hLabels = ImageSet.unit(embed(text, tokenizer,
                    List.of(o + across[0], o + across[1], o + across[2])));
            INDArray vLabels = ImageSet.unit(embed(text, tokenizer, List.of(o + down[0], o + down[1], o + down[2])));
            horizontalRight += classify(image, List.of(h), hLabels)[0] == column ? 1 : 0;
            verticalRight += classify(image, List.of(v), vLabels)[0] == row ? 1 : 0;
            positionCount++;
        }
        int scenes = 200;
        return new Report((double) trainedRight / trainedCount, trainedCount, (double) heldRight / heldCount,
                heldCount, (double) horizontalRight / positionCount, (double) verticalRight / positionCount,
                positionCount, relation(tokenizer, text, image, total, seed + 2), total,
                recall(tokenizer, text, image, scenes, seed + 1), scenes);
    }

    /**
     * One relation question: a fresh two-object scene of which only one relation holds, its clean render, the four
     * captions "subject RELATION other" in {@link Relation} order (the subject either object) and the true one's index.
     */
    record RelationCase(Scene scene, float[] image, List<String> captions, int truth) {
    }

    /** {@code count} relation questions, a pure function of {@code seed}. */
    static List<RelationCase> relationCases(int count, long seed) {
        ShapesWorld world = new ShapesWorld(seed, ShapesWorld.HELD_OUT);
        SplittableRandom r = new SplittableRandom(seed);
        List<RelationCase> cases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Relation relation = Relation.values()[r.nextInt(Relation.values().length)];
            Scene scene = world.related(i, relation);
            boolean firstIsSubject = r.nextBoolean();
            SceneObject subject = scene.objects().get(firstIsSubject ? 0 : 1);
            SceneObject other = scene.objects().get(firstIsSubject ? 1 : 0);
            List<String> captions = new ArrayList<>(Relation.values().length);
            for (Relation q : Relation.values()) {
                captions.add(object(subject.colour(), subject.shape()) + " " + q.phrase() + " "
                        + object(other.colour(), other.shape()));
            }
            cases.add(new RelationCase(scene, PairSource.chw(world.render(scene, true, i), ShapesWorld.SIZE),
                    captions, (firstIsSubject ? relation : relation.inverse()).ordinal()));
        }
        return cases;
    }

    /**
     * The share of {@code count} fresh relation questions ({@link #relationCases}) whose true caption is, of the
     * four, the image's nearest.
     */
    public static double relation(Tokenizer tokenizer, Encoder<TokenBatch> text, Encoder<INDArray> image, int count,
            long seed) {
        List<RelationCase> cases = relationCases(count, seed);
        List<String> captions = new ArrayList<>();
        cases.forEach(c -> captions.addAll(c.captions()));
        INDArray imageVectors = embedImages(image, cases.stream().map(RelationCase::image).toList());
        INDArray captionVectors = ImageSet.unit(embed(text, tokenizer, captions));
        // [count, 4 · count]: each image against every caption; its own four are columns 4i … 4i + 3
        INDArray sims = imageVectors.mmul(captionVectors.transpose());
        int k = Relation.values().length;
        int right = 0;
        for (int i = 0; i < count; i++) {
            INDArray own = sims.get(NDArrayIndex.point(i), NDArrayIndex.interval(i * k, i * k + k));
            right += own.argMax().getInt(0) == cases.get(i).truth() ? 1 : 0;
        }
        return (double) right / count;
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
        return embedImages(image, images).mmul(labelVectors.transpose()).argMax(1).toIntVector();
    }

    /** Unit vectors of rendered images. */
    static INDArray embedImages(Encoder<INDArray> image, List<float[]> images) {
        int side = ShapesWorld.SIZE;
        float[] all = new float[images.size() * 3 * side * side];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * 3 * side * side, 3 * side * side);
        }
        INDArray x = Nd4j.create(all, new long[] {images.size(), 3, side, side}, 'c');
        Encoder.Output o = image.embedding().orElseThrow();
        return ImageSet.unit(image.encode(x, Set.of(o)).get(o));
    }
}
