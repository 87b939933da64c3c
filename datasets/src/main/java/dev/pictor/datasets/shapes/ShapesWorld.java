package dev.pictor.datasets.shapes;

import dev.pictor.api.run.Seeds;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Shapes world, version 1 ({@code shared/specs/shapes-world.md}): a generated text–image world in which
 * every image can be checked by reading its pixels.
 *
 * <p>Everything is a pure function of (seed, index): {@link #scene(long)} draws the objects and a true prompt
 * (and a paraphrased training caption), {@link #render(Scene, boolean, long)} draws the pixels. Colour–shape
 * pairs in the exclusion list never appear (the zoo trains without {@link #HELD_OUT}).
 *
 * <pre>{@code
 * ShapesWorld world = new ShapesWorld(7, ShapesWorld.HELD_OUT);
 * Scene s = world.scene(0);
 * byte[] rgb = world.render(s, true, 0);          // 32*32*3 bytes, row-major, clean
 * }</pre>
 */
public final class ShapesWorld {
    /** Canvas side in pixels. */
    public static final int SIZE = 32;
    /** The spec's held-out colour–shape pairs. */
    public static final Map<Colour, Shape> HELD_OUT_PAIRS = Map.of(Colour.PURPLE, Shape.TRIANGLE,
            Colour.ORANGE, Shape.CIRCLE, Colour.CYAN, Shape.SQUARE, Colour.WHITE, Shape.TRIANGLE);
    /** The held-out pairs as an exclusion list. */
    public static final Set<Pair> HELD_OUT = Set.of(new Pair(Colour.PURPLE, Shape.TRIANGLE),
            new Pair(Colour.ORANGE, Shape.CIRCLE), new Pair(Colour.CYAN, Shape.SQUARE),
            new Pair(Colour.WHITE, Shape.TRIANGLE));
    /** Largest noise the spec allows on training images (0–255 scale). */
    public static final double MAX_NOISE_SIGMA = 4.0;

    private static final String[] PREFIXES = {"a picture of ", "an image of ", "a photo of ", "there is "};
    private static final int SUPERSAMPLE = 8;
    private static final Map<Integer, float[]> COVERAGE = new ConcurrentHashMap<>();

    /** A colour–shape combination. */
    public record Pair(Colour colour, Shape shape) {
    }

    private final long seed;
    private final Set<Pair> excluded;
    private final List<Pair> allowed;
    private final double noiseSigma;

    /** A world without training noise. */
    public ShapesWorld(long seed, Set<Pair> excluded) {
        this(seed, excluded, 0);
    }

    /**
     * @param seed       the world's seed
     * @param excluded   colour–shape pairs that never appear
     * @param noiseSigma Gaussian pixel noise added to training (not clean) renders, at most 4
     */
    public ShapesWorld(long seed, Set<Pair> excluded, double noiseSigma) {
        if (noiseSigma < 0 || noiseSigma > MAX_NOISE_SIGMA) {
            throw new IllegalArgumentException("noise sigma must be in [0, 4], got " + noiseSigma);
        }
        this.seed = seed;
        this.excluded = Set.copyOf(excluded);
        this.noiseSigma = noiseSigma;
        List<Pair> ok = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                if (!this.excluded.contains(new Pair(c, s))) {
                    ok.add(new Pair(c, s));
                }
            }
        }
        if (ok.size() < 2 || ok.stream().map(Pair::colour).distinct().count() < 2) {
            throw new IllegalArgumentException("the exclusion list leaves too few colour-shape pairs");
        }
        this.allowed = List.copyOf(ok);
    }

    public long seed() {
        return seed;
    }

    public Set<Pair> excluded() {
        return excluded;
    }

    /** The scene at {@code index}: a pure function of (seed, index). */
    public Scene scene(long index) {
        SplittableRandom r = random(index, 0x5CE7E);
        List<SceneObject> objects = new ArrayList<>(2);
        boolean two = r.nextBoolean();
        SceneObject first = object(r, null, r.nextBoolean());
        objects.add(first);
        if (two) {
            SceneObject second;
            do {
                second = object(r, first.colour(), !first.isLarge() && r.nextBoolean());
            } while (second.overlaps(first));
            objects.add(second);
        }
        String prompt = two ? relationPrompt(r, objects.get(0), objects.get(1)) : placePrompt(r, first);
        String caption = Paraphrases.paraphrase(prompt, r);
        return new Scene(objects, prompt, caption);
    }

    /**
     * The places whose phrase names exactly one cell of the 3 × 3 grid when the object sits in the middle row or
     * column: left, centre and right along the middle row, top and bottom along the middle column.
     */
    public static final List<Place> UNAMBIGUOUS_PLACES = List.of(Place.LEFT, Place.CENTER, Place.RIGHT, Place.TOP,
            Place.BOTTOM);

    /**
     * One object — the same one for every call with this {@code group} — at {@code place}, which must be one of
     * {@link #UNAMBIGUOUS_PLACES}: on the middle row for left / centre / right, on the middle column for top /
     * bottom, so no other of those phrases is true of it. Scenes of one group differ only in where the object is and
     * in the place their prompt names: hard negatives that make a contrastive model learn position. A pure function
     * of (seed, group, place); the world's excluded pairs never appear.
     */
    public Scene placed(long group, Place place) {
        if (!UNAMBIGUOUS_PLACES.contains(place)) {
            throw new IllegalArgumentException(place + " is not one of " + UNAMBIGUOUS_PLACES);
        }
        SplittableRandom r = random(group, 0x91ACE);
        SceneObject o = object(r, null, r.nextBoolean());
        SplittableRandom at = random(group * 5 + place.ordinal(), 0x91ACF);
        int column = place.column() < 0 ? 1 : place.column();
        int row = place.row() < 0 ? 1 : place.row();
        SceneObject moved;
        do {
            moved = moved(o, at);
        } while (moved.column() != column || moved.row() != row);
        String prompt = prefix(r) + describe(moved, r.nextBoolean()) + place.phrase();
        return new Scene(List.of(moved), prompt, Paraphrases.paraphrase(prompt, r));
    }

    /**
     * Two objects — the same two for every call with this {@code group} — arranged so that of the four relations
     * from the first to the second only {@code relation} holds (the other axis's centres are under
     * {@link Relation#MARGIN} apart), the prompt naming them in either order: "A above B" or "B below A", one time
     * in two. The four scenes of a group differ only in the arrangement, in the relation or the order of the words,
     * and in which object a size word is given to (the first and second named object each get one half the time, in
     * the group's draws — the order the zoo's text encoder was trained with): hard negatives that make a contrastive text encoder read relation words and word order (a model that
     * reads a caption as a bag of words cannot tell "A above B" from "A below B", nor "A above B" from "B above A").
     * A pure function of (seed, group, relation); the world's excluded pairs never appear.
     */
    public Scene related(long group, Relation relation) {
        SplittableRandom r = random(group, 0x4E1A7);
        SceneObject a = object(r, null, r.nextBoolean());
        SceneObject b = object(r, a.colour(), !a.isLarge() && r.nextBoolean());
        SplittableRandom at = random(group * 4 + relation.ordinal(), 0x4E1A8);
        SceneObject placedA;
        SceneObject placedB;
        do {
            placedA = moved(a, at);
            placedB = moved(b, at);
        } while (placedA.overlaps(placedB) || !onlyRelation(placedA, placedB, relation));
        boolean aFirst = at.nextBoolean();
        String prompt = prefix(r) + (aFirst
                ? describe(placedA, r.nextBoolean()) + " " + relation.phrase() + " " + describe(placedB, r.nextBoolean())
                : describe(placedB, r.nextBoolean()) + " " + relation.inverse().phrase() + " "
                        + describe(placedA, r.nextBoolean()));
        return new Scene(List.of(placedA, placedB), prompt, Paraphrases.paraphrase(prompt, r));
    }

    /** {@code o} at a random position inside the canvas. */
    private static SceneObject moved(SceneObject o, SplittableRandom r) {
        return new SceneObject(o.shape(), o.colour(), o.size(), r.nextInt(SIZE - o.size() + 1),
                r.nextInt(SIZE - o.size() + 1));
    }

    private static boolean onlyRelation(SceneObject a, SceneObject b, Relation relation) {
        for (Relation other : Relation.values()) {
            if (other.holds(a, b) != (other == relation)) {
                return false;
            }
        }
        return true;
    }

    private SceneObject object(SplittableRandom r, Colour otherColour, boolean large) {
        Pair pair;
        do {
            pair = allowed.get(r.nextInt(allowed.size()));
        } while (pair.colour() == otherColour);
        int size = large ? r.nextInt(SceneObject.LARGE_MIN, SceneObject.LARGE_MAX + 1)
                : r.nextInt(SceneObject.SMALL_MIN, SceneObject.SMALL_MAX + 1);
        return new SceneObject(pair.shape(), pair.colour(), size, r.nextInt(SIZE - size + 1),
                r.nextInt(SIZE - size + 1));
    }

    private static String prefix(SplittableRandom r) {
        int i = r.nextInt(PREFIXES.length + 1);
        return i == PREFIXES.length ? "" : PREFIXES[i];
    }

    /** "a [size] colour shape" with the right article; the size is named half the time. */
    static String describe(SceneObject o, boolean withSize) {
        String words = (withSize ? o.sizeWord() + " " : "") + o.colour().word() + " " + o.shape().word();
        return (startsWithVowel(words) ? "an " : "a ") + words;
    }

    static boolean startsWithVowel(String words) {
        return "aeiou".indexOf(words.charAt(0)) >= 0;
    }

    private static String placePrompt(SplittableRandom r, SceneObject o) {
        List<Place> true_ = new ArrayList<>();
        for (Place p : Place.values()) {
            if (p.matches(o)) {
                true_.add(p);
            }
        }
        // One time in four the place is not named at all.
        int pick = r.nextInt(true_.size() + Math.max(1, true_.size() / 3));
        String place = pick < true_.size() ? true_.get(pick).phrase() : "";
        return prefix(r) + describe(o, r.nextBoolean()) + place;
    }

    private static String relationPrompt(SplittableRandom r, SceneObject a, SceneObject b) {
        boolean swap = r.nextBoolean();
        SceneObject subject = swap ? b : a;
        SceneObject other = swap ? a : b;
        List<Relation> true_ = new ArrayList<>();
        for (Relation rel : Relation.values()) {
            if (rel.holds(subject, other)) {
                true_.add(rel);
            }
        }
        // Non-overlapping boxes of side >= 7 are >= 7 apart on some axis, so some relation always holds.
        Relation rel = true_.get(r.nextInt(true_.size()));
        return prefix(r) + describe(subject, r.nextBoolean()) + " " + rel.phrase() + " "
                + describe(other, r.nextBoolean());
    }

    /**
     * Draws a scene: row-major RGB bytes ({@code [y][x][c]}), black background, anti-aliased edges from 8 × 8
     * supersampling. A training render ({@code clean == false}) gets the world's Gaussian noise, drawn from
     * {@code noiseIndex}.
     */
    public byte[] render(Scene scene, boolean clean, long noiseIndex) {
        float[] coverage = new float[SIZE * SIZE];
        float[] rgb = new float[SIZE * SIZE * 3];
        for (SceneObject o : scene.objects()) {
            java.util.Arrays.fill(coverage, 0f);
            cover(o, coverage);
            for (int p = 0; p < coverage.length; p++) {
                if (coverage[p] > 0) {
                    rgb[3 * p] += coverage[p] * o.colour().r();
                    rgb[3 * p + 1] += coverage[p] * o.colour().g();
                    rgb[3 * p + 2] += coverage[p] * o.colour().b();
                }
            }
        }
        if (!clean && noiseSigma > 0) {
            SplittableRandom r = random(noiseIndex, 0x0015E);
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] += (float) (Seeds.gaussian(r) * noiseSigma);
            }
        }
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(rgb[i])));
        }
        return out;
    }

    /** Fraction of each pixel inside the object: its shape's {@link #coverage} placed at its box. */
    private static void cover(SceneObject o, float[] coverage) {
        float[] box = coverage(o.shape(), o.size());
        for (int y = 0; y < o.size(); y++) {
            System.arraycopy(box, y * o.size(), coverage, (o.top() + y) * SIZE + o.left(), o.size());
        }
    }

    /**
     * The fraction of each pixel of a box of side {@code size} that {@code shape} drawn in it covers, by 8 × 8
     * supersampling ({@code [y][x]}, row-major): how the world anti-aliases, and the templates the pixel checker
     * fits. Shapes drawn at whole-pixel boxes are these arrays shifted, so they are computed once a shape and size.
     */
    static float[] coverage(Shape shape, int size) {
        return COVERAGE.computeIfAbsent(shape.ordinal() * 1000 + size, k -> {
            float[] out = new float[size * size];
            double step = 1.0 / SUPERSAMPLE;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int inside = 0;
                    for (int sy = 0; sy < SUPERSAMPLE; sy++) {
                        for (int sx = 0; sx < SUPERSAMPLE; sx++) {
                            if (shape.contains(0, 0, size, x + (sx + 0.5) * step, y + (sy + 0.5) * step)) {
                                inside++;
                            }
                        }
                    }
                    out[y * size + x] = inside / (float) (SUPERSAMPLE * SUPERSAMPLE);
                }
            }
            return out;
        });
    }

    private SplittableRandom random(long index, long stream) {
        return new SplittableRandom(Seeds.mix(Seeds.mix(seed ^ stream) + index));
    }

    /** Whether the world can produce this colour–shape pair. */
    public boolean allows(Colour c, Shape s) {
        return !excluded.contains(new Pair(Objects.requireNonNull(c), Objects.requireNonNull(s)));
    }

    /** All shapes of a colour that the world allows. */
    public Set<Shape> shapesOf(Colour c) {
        Set<Shape> out = EnumSet.noneOf(Shape.class);
        allowed.stream().filter(p -> p.colour() == c).forEach(p -> out.add(p.shape()));
        return out;
    }
}
