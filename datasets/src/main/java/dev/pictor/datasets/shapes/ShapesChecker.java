package dev.pictor.datasets.shapes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Judges a generated picture against its prompt by reading only its pixels, as the Shapes-world spec asks: finds
 * the objects (connected regions of one palette colour), fits each a shape, side and place, reads them back as a
 * {@link Scene} and asks {@link PromptParser.Prompt#isTrueOf} — the same truth the generator's captions obey.
 *
 * <p>How pixels are read: a pixel belongs to palette colour c when it is close to a fraction α of c (anti-aliased
 * edges are the colour scaled down) with α ≥ ½ — at least half covered — within 80 of that line and nearer to it
 * than to any other colour's; connected pixels of one colour form a region. Decoded pictures come out blurred, with
 * fills that drift in colour and speckles, so two leniencies: a region whose box lies mostly inside a larger
 * region's box is part of it (orange drifting to yellow inside an orange square; the world's boxes never overlap),
 * and a region's holes count as its pixels (shapes are drawn filled). Regions of fewer than {@value #MIN_PIXELS}
 * pixels are noise.
 *
 * <p>The shape, side and place come from fitting the world's own anti-aliased renderings
 * ({@code ShapesWorld.coverage}) to how much each pixel holds of the region's colour, by least squares over sides
 * near the region's box and boxes a pixel either side. Fitting soft coverage, not counting labelled pixels, is what
 * tells a blurred small square (faint corners) from a circle: the fill-ratio reading it replaced called 16% of the
 * shapes-ldm autoencoder's reconstructions wrong, this one 2% (1,000 unseen scenes). The size is the fitted side:
 * small up to 11 pixels, large from 12 (the spec's ranges are 7–10 and 13–17; the midpoint splits generated sizes in
 * between).
 *
 * <pre>{@code
 * ShapesChecker.Verdict v = ShapesChecker.judge(rgb, "a red circle on the left");   // rgb: [y][x][c] bytes
 * boolean right = v.correct();
 * }</pre>
 */
public final class ShapesChecker {
    /** Regions smaller than this are noise, not objects. */
    public static final int MIN_PIXELS = 12;
    private static final int N = ShapesWorld.SIZE;

    private ShapesChecker() {
    }

    /** One region read off the picture. */
    public record Detected(Colour colour, Shape shape, int side, double cx, double cy, int pixels, double fill) {
        /** As a scene object: the side clamped into the spec's small or large range, centred where it was seen. */
        public SceneObject asSceneObject() {
            int size = side <= 11 ? Math.max(SceneObject.SMALL_MIN, Math.min(SceneObject.SMALL_MAX, side))
                    : Math.max(SceneObject.LARGE_MIN, Math.min(SceneObject.LARGE_MAX, side));
            int left = (int) Math.round(cx - size / 2.0);
            int top = (int) Math.round(cy - size / 2.0);
            left = Math.max(0, Math.min(N - size, left));
            top = Math.max(0, Math.min(N - size, top));
            return new SceneObject(shape, colour, size, left, top);
        }
    }

    /** The objects found and whether the prompt is true of them. */
    public record Verdict(String prompt, List<Detected> objects, boolean correct) {
    }

    /** Reads {@code rgb} ({@code [y][x][c]}, 32 × 32) and judges {@code prompt} (which must parse). */
    public static Verdict judge(byte[] rgb, String prompt) {
        PromptParser.Prompt p = PromptParser.parse(prompt);
        List<Detected> found = detect(rgb);
        List<SceneObject> objects = found.stream().map(Detected::asSceneObject).toList();
        boolean correct;
        try {
            correct = p.isTrueOf(new Scene(objects, prompt, prompt));
        } catch (IllegalArgumentException e) {
            correct = false;   // not a scene the world allows (e.g. two objects of one colour)
        }
        return new Verdict(prompt, found, correct);
    }

    /** The objects in a picture, largest first. */
    public static List<Detected> detect(byte[] rgb) {
        if (rgb.length != N * N * 3) {
            throw new IllegalArgumentException("a Shapes-world picture is 32 × 32 RGB (" + N * N * 3 + " bytes), got "
                    + rgb.length);
        }
        Colour[] colours = Colour.values();
        int[] label = new int[N * N];
        // α of every pixel on every colour's line: the labelling's test, and the coverage the shapes are fitted to
        float[][] alphas = new float[colours.length][N * N];
        for (int p = 0; p < N * N; p++) {
            label[p] = -1;
            double r = rgb[3 * p] & 0xff;
            double g = rgb[3 * p + 1] & 0xff;
            double b = rgb[3 * p + 2] & 0xff;
            double best = Double.MAX_VALUE;
            for (int c = 0; c < colours.length; c++) {
                int[] k = colours[c].rgb();
                double kk = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
                double alpha = Math.min(1, (r * k[0] + g * k[1] + b * k[2]) / kk);
                alphas[c][p] = (float) alpha;
                double dr = r - alpha * k[0];
                double dg = g - alpha * k[1];
                double db = b - alpha * k[2];
                double d = dr * dr + dg * dg + db * db;
                if (alpha >= 0.5 && d < best && d < 80 * 80) {
                    best = d;
                    label[p] = c;
                }
            }
        }
        List<Region> regions = new ArrayList<>();
        boolean[] seen = new boolean[N * N];
        int[] stack = new int[N * N];
        for (int start = 0; start < N * N; start++) {
            if (label[start] < 0 || seen[start]) {
                continue;
            }
            int c = label[start];
            Region region = new Region(c);
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            while (top > 0) {
                int p = stack[--top];
                region.add(p);
                int x = p % N;
                int y = p / N;
                int[] next = {x > 0 ? p - 1 : -1, x < N - 1 ? p + 1 : -1, y > 0 ? p - N : -1, y < N - 1 ? p + N : -1};
                for (int q : next) {
                    if (q >= 0 && !seen[q] && label[q] == c) {
                        seen[q] = true;
                        stack[top++] = q;
                    }
                }
            }
            regions.add(region);
        }
        // A patch of another colour inside an object's box is a blemish of that object (a decoder's mottled fill
        // drifting from orange to yellow, say), not a second object: the world's boxes never overlap.
        regions.sort(Comparator.comparingInt((Region r) -> r.members.size()).reversed());
        List<Region> kept = new ArrayList<>();
        for (Region r : regions) {
            Region host = kept.stream().filter(k -> k.holdsMostOf(r)).findFirst().orElse(null);
            if (host != null) {
                r.members.forEach(host::add);
            } else {
                kept.add(r);
            }
        }
        // Objects, and which pixels they own: a fit must not borrow a neighbour's pixels.
        List<Region> objects = new ArrayList<>();
        List<List<Integer>> filled = new ArrayList<>();
        int[] owner = new int[N * N];
        java.util.Arrays.fill(owner, -1);
        for (Region r : kept) {
            List<Integer> members = r.filled();
            if (members.size() >= MIN_PIXELS) {
                members.forEach(p -> owner[p] = objects.size());
                objects.add(r);
                filled.add(members);
            }
        }
        List<Detected> out = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            Region r = objects.get(i);
            int w = r.maxX - r.minX + 1;
            int h = r.maxY - r.minY + 1;
            Fit f = fit(coverage(alphas[r.colour], owner, i), r);
            out.add(new Detected(colours[r.colour], f.shape(), f.size(), f.left() + f.size() / 2.0,
                    f.top() + f.size() / 2.0, filled.get(i).size(), (double) filled.get(i).size() / (w * h)));
        }
        out.sort(Comparator.comparingInt(Detected::pixels).reversed());
        return out;
    }

    /**
     * How much of each pixel the object's colour covers — the α of the pixel's projection on that colour's line, in
     * [0, 1] — with the pixels of the other objects at 0. Soft, so a blurred edge or a mottled fill still counts for
     * what it is.
     */
    private static float[] coverage(float[] alpha, int[] owner, int self) {
        float[] cov = alpha.clone();
        for (int p = 0; p < N * N; p++) {
            if (owner[p] >= 0 && owner[p] != self) {
                cov[p] = 0;
            }
        }
        return cov;
    }

    /** The shape, side and place whose rendering best matches a region's coverage. */
    private record Fit(Shape shape, int size, int left, int top, double error) {
    }

    /**
     * Fits the world's own anti-aliased shapes ({@link ShapesWorld#coverage}) to the coverage, by least squares over
     * the picture: every shape, sides from one less to three more than the region's box (a faint edge of a circle or
     * triangle falls below the labelling's α ≥ ½) and boxes a pixel either side of where the region's lies.
     */
    private static Fit fit(float[] cov, Region r) {
        int side = Math.max(r.maxX - r.minX + 1, r.maxY - r.minY + 1);
        Fit best = null;
        for (int s = Math.max(3, side - 1); s <= Math.min(N, side + 3); s++) {
            int fromX = Math.max(0, Math.min(r.minX, r.maxX + 1 - s) - 1);
            int toX = Math.min(N - s, Math.max(r.minX, r.maxX + 1 - s) + 1);
            int fromY = Math.max(0, Math.min(r.minY, r.maxY + 1 - s) - 1);
            int toY = Math.min(N - s, Math.max(r.minY, r.maxY + 1 - s) + 1);
            for (Shape shape : Shape.values()) {
                float[] t = ShapesWorld.coverage(shape, s);
                for (int top = fromY; top <= toY; top++) {
                    for (int left = fromX; left <= toX; left++) {
                        // the error over the whole picture, less the constant sum of cov² outside any box
                        double e = 0;
                        for (int y = 0; y < s; y++) {
                            for (int x = 0; x < s; x++) {
                                double c = cov[(top + y) * N + left + x];
                                double d = c - t[y * s + x];
                                e += d * d - c * c;
                            }
                        }
                        if (best == null || e < best.error()) {
                            best = new Fit(shape, s, left, top, e);
                        }
                    }
                }
            }
        }
        return best;
    }

    /** A connected set of pixels of one palette colour and its box. */
    private static final class Region {
        final int colour;
        final List<Integer> members = new ArrayList<>();
        int minX = N;
        int maxX = -1;
        int minY = N;
        int maxY = -1;

        Region(int colour) {
            this.colour = colour;
        }

        void add(int p) {
            members.add(p);
            minX = Math.min(minX, p % N);
            maxX = Math.max(maxX, p % N);
            minY = Math.min(minY, p / N);
            maxY = Math.max(maxY, p / N);
        }

        /** Whether at least half of {@code o}'s box lies in this region's box. */
        boolean holdsMostOf(Region o) {
            int w = Math.min(maxX, o.maxX) - Math.max(minX, o.minX) + 1;
            int h = Math.min(maxY, o.maxY) - Math.max(minY, o.minY) + 1;
            return w > 0 && h > 0 && 2 * w * h >= (o.maxX - o.minX + 1) * (o.maxY - o.minY + 1);
        }

        /**
         * The members plus the holes: box pixels that no path of non-members reaches from the box's edge. Shapes
         * are drawn filled, so a speckled interior (pixels too far from the palette to be labelled) still counts
         * towards the fill ratio; a triangle's or circle's empty corners touch the edge and stay empty.
         */
        List<Integer> filled() {
            int w = maxX - minX + 1;
            int h = maxY - minY + 1;
            boolean[] in = new boolean[w * h];
            for (int p : members) {
                in[(p / N - minY) * w + p % N - minX] = true;
            }
            boolean[] outside = new boolean[w * h];
            int[] stack = new int[w * h];
            int top = 0;
            for (int i = 0; i < w * h; i++) {
                int x = i % w;
                int y = i / w;
                if ((x == 0 || y == 0 || x == w - 1 || y == h - 1) && !in[i]) {
                    outside[i] = true;
                    stack[top++] = i;
                }
            }
            while (top > 0) {
                int i = stack[--top];
                int x = i % w;
                int y = i / w;
                int[] next = {x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1};
                for (int q : next) {
                    if (q >= 0 && !in[q] && !outside[q]) {
                        outside[q] = true;
                        stack[top++] = q;
                    }
                }
            }
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < w * h; i++) {
                if (!outside[i]) {
                    all.add((minY + i / w) * N + minX + i % w);
                }
            }
            return all;
        }
    }
}
