package dev.pictor.clip.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.datasets.fashion.FashionMnist;
import dev.pictor.datasets.shapes.Place;
import dev.pictor.datasets.shapes.Relation;
import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Image–caption pairs for contrastive training: pair {@code i} is a pure function of the source and {@code i}, so a
 * run resumed at step s sees what an unbroken run would have.
 *
 * <pre>{@code
 * PairSource shapes = PairSource.shapes(new ShapesWorld(7, ShapesWorld.HELD_OUT, 3.0));
 * PairSource.Pair p = shapes.pair(0);   // 32×32 RGB in [-1, 1], "a small red circle on the left"
 * }</pre>
 */
public interface PairSource {
    /**
     * One image ({@code [3, side, side]} row-major in [-1, 1]), its caption, and what the caption means: pairs of
     * one meaning in a batch are each other's positives (a Fashion-MNIST class in any template; for generated scenes,
     * the caption itself).
     */
    record Pair(float[] image, String caption, String meaning) {
        public Pair(float[] image, String caption) {
            this(image, caption, caption);
        }
    }

    /** Pair {@code index}; indices beyond {@link #size()} wrap (finite sources) or are fresh (endless ones). */
    Pair pair(long index);

    /** Image side in pixels. */
    int side();

    /** Distinct pairs, or {@link Long#MAX_VALUE} for an endless (generated) source. */
    long size();

    /** Captions to learn a BPE vocabulary from (a sample of the source's). */
    List<String> corpus(int count);

    /**
     * The Shapes world: endless scenes (the world's exclusions — the held-out pairs — never appear), training
     * renders with the world's noise; the caption is the scene's paraphrase or, one time in two, its grammar prompt.
     */
    static PairSource shapes(ShapesWorld world) {
        return shapes(world, 0);
    }

    /** The Shapes world with hard negatives for position only: {@code shapes(world, placeGroups, 0)}. */
    static PairSource shapes(ShapesWorld world, double placeGroups) {
        return shapes(world, placeGroups, 0);
    }

    /**
     * The Shapes world with hard negatives: groups of four consecutive pairs (which a batch of a multiple of four
     * keeps together), a share {@code placeGroups} of them showing one object at four different places of
     * {@link ShapesWorld#UNAMBIGUOUS_PLACES}, each caption naming its place ({@link ShapesWorld#placed}), and a share
     * {@code relationGroups} showing the same two objects in the four relations, each caption naming the pair in
     * either order ({@link ShapesWorld#related}). In a batch of random scenes two pictures rarely share colour and
     * shape, so nothing forces a contrastive model to tell where things are, nor which object a relation word is
     * about (NegCLIP's finding, Yuksekgonul et al. 2023: CLIP trained without such negatives reads captions as bags
     * of words); within a group only the place, or the relation and the word order, tell the captions apart.
     */
    static PairSource shapes(ShapesWorld world, double placeGroups, double relationGroups) {
        if (!(placeGroups >= 0 && relationGroups >= 0 && placeGroups + relationGroups <= 1)) {
            throw new IllegalArgumentException("the shares of place and relation groups must be at least 0 and at"
                    + " most 1 together, not " + placeGroups + " and " + relationGroups);
        }
        return new PairSource() {
            @Override
            public Pair pair(long index) {
                Scene s = scene(index);
                byte[] rgb = world.render(s, false, index);
                return new Pair(chw(rgb, ShapesWorld.SIZE), (index & 1) == 0 ? s.caption() : s.prompt());
            }

            /** The scene of pair {@code index}: a place or relation group's member, or the world's own scene. */
            private Scene scene(long index) {
                long group = index / 4;
                SplittableRandom g = new SplittableRandom(world.seed() * 0x9E3779B97F4A7C15L
                        ^ group * 0xC2B2AE3D27D4EB4FL);
                double draw = g.nextDouble();
                if (draw < placeGroups) {
                    List<Place> places = new ArrayList<>(ShapesWorld.UNAMBIGUOUS_PLACES);
                    // four of the five places, in an order of the group's
                    for (int i = places.size() - 1; i > 0; i--) {
                        Collections.swap(places, i, g.nextInt(i + 1));
                    }
                    return world.placed(group, places.get((int) (index % 4)));
                }
                if (draw < placeGroups + relationGroups) {
                    return world.related(group, Relation.values()[(int) (index % 4)]);
                }
                return world.scene(index);
            }

            @Override
            public int side() {
                return ShapesWorld.SIZE;
            }

            @Override
            public long size() {
                return Long.MAX_VALUE;
            }

            @Override
            public List<String> corpus(int count) {
                return java.util.stream.LongStream.range(0, count).mapToObj(i -> pair(i).caption()).toList();
            }
        };
    }

    /**
     * {@link #shapes(ShapesWorld, double, double)} with the shares a training task's options name:
     * {@code placeGroups} and {@code relationGroups} (each 0 to 1, default 0, together at most 1) — one reading of
     * them for every task that trains on the Shapes world ({@code trainClip}, {@code trainLdm}).
     */
    static PairSource shapes(ShapesWorld world, TaskOptions options) {
        double placeGroups = share(options, "placeGroups");
        double relationGroups = share(options, "relationGroups");
        if (placeGroups + relationGroups > 1) {
            throw new BadInputException(options.where("relationGroups") + " and placeGroups share the batch: together"
                    + " at most 1, not " + placeGroups + " + " + relationGroups);
        }
        return shapes(world, placeGroups, relationGroups);
    }

    private static double share(TaskOptions options, String name) {
        double share = options.real(name, 0);
        if (!(share >= 0 && share <= 1)) {
            throw new BadInputException(options.where(name) + " must be between 0 and 1, not " + share);
        }
        return share;
    }

    /** Templates that turn a Fashion-MNIST class caption ("a dress") into training captions. */
    List<String> FASHION_TEMPLATES = List.of("{}", "a photo of {}", "a picture of {}", "an image of {}",
            "a black and white photo of {}", "a small photo of {}", "a product photo of {}", "this is {}",
            "a grey photo of {}", "a low resolution photo of {}");

    /**
     * Fashion-MNIST images (grey, repeated over three channels) with captions: the class caption in one of
     * {@link #FASHION_TEMPLATES}, chosen by a seeded draw per index. Index {@code i} wraps over the dataset.
     */
    static PairSource fashion(FashionMnist data, long seed) {
        return new PairSource() {
            @Override
            public Pair pair(long index) {
                int i = (int) (index % data.size());
                byte[] grey = data.image(i);
                int side = FashionMnist.SIDE;
                float[] chw = new float[3 * side * side];
                for (int k = 0; k < side * side; k++) {
                    float v = (grey[k] & 0xFF) / 127.5f - 1f;
                    chw[k] = v;
                    chw[side * side + k] = v;
                    chw[2 * side * side + k] = v;
                }
                SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
                String template = FASHION_TEMPLATES.get(r.nextInt(FASHION_TEMPLATES.size()));
                return new Pair(chw, template.replace("{}", data.caption(i)), data.caption(i));
            }

            @Override
            public int side() {
                return FashionMnist.SIDE;
            }

            @Override
            public long size() {
                return data.size();
            }

            @Override
            public List<String> corpus(int count) {
                List<String> out = new java.util.ArrayList<>();
                for (int label = 0; label < FashionMnist.CLASS_NAMES.size(); label++) {
                    for (String t : FASHION_TEMPLATES) {
                        out.add(t.replace("{}", FashionMnist.captionOf(label)));
                    }
                }
                return out;
            }
        };
    }

    /** Row-major RGB bytes {@code [y][x][c]} → {@code [c][y][x]} floats in [-1, 1]. */
    static float[] chw(byte[] rgb, int side) {
        float[] out = new float[3 * side * side];
        for (int p = 0; p < side * side; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * side * side + p] = (rgb[p * 3 + c] & 0xFF) / 127.5f - 1f;
            }
        }
        return out;
    }
}
