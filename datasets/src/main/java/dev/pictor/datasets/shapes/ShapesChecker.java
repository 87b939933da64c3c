package dev.pictor.datasets.shapes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Judges a generated picture against its prompt by reading only its pixels, as the Shapes-world spec asks: finds
 * the objects (connected regions of one palette colour), measures each (box, fill ratio, side), reads them back as a
 * {@link Scene} and asks {@link PromptParser.Prompt#isTrueOf} — the same truth the generator's captions obey.
 *
 * <p>How pixels are read: a pixel belongs to palette colour c when it is close to a fraction α of c (anti-aliased
 * edges are the colour scaled down) with α ≥ ½ — at least half covered — and nearer to that line than to any other
 * colour's; regions of fewer than {@value #MIN_PIXELS} pixels are noise. The shape comes from the fill ratio of the
 * region's box (square ≈ 1, circle ≈ 0.785, triangle ≈ 0.5: split at 0.88 and 0.66) and, to tell a triangle from a
 * circle, the width of its top rows against its bottom rows. The size is the box's larger side: small up to 11
 * pixels, large from 12 (the spec's ranges are 7–10 and 13–17; the midpoint splits generated sizes in between).
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
                double dr = r - alpha * k[0];
                double dg = g - alpha * k[1];
                double db = b - alpha * k[2];
                double d = dr * dr + dg * dg + db * db;
                if (alpha >= 0.5 && d < best && d < 60 * 60) {
                    best = d;
                    label[p] = c;
                }
            }
        }
        List<Detected> out = new ArrayList<>();
        boolean[] seen = new boolean[N * N];
        int[] stack = new int[N * N];
        for (int start = 0; start < N * N; start++) {
            if (label[start] < 0 || seen[start]) {
                continue;
            }
            int c = label[start];
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            int count = 0;
            int minX = N;
            int maxX = -1;
            int minY = N;
            int maxY = -1;
            List<Integer> members = new ArrayList<>();
            while (top > 0) {
                int p = stack[--top];
                members.add(p);
                count++;
                int x = p % N;
                int y = p / N;
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
                int[] next = {x > 0 ? p - 1 : -1, x < N - 1 ? p + 1 : -1, y > 0 ? p - N : -1, y < N - 1 ? p + N : -1};
                for (int q : next) {
                    if (q >= 0 && !seen[q] && label[q] == c) {
                        seen[q] = true;
                        stack[top++] = q;
                    }
                }
            }
            if (count < MIN_PIXELS) {
                continue;
            }
            int w = maxX - minX + 1;
            int h = maxY - minY + 1;
            double fill = (double) count / (w * h);
            out.add(new Detected(colours[c], shape(fill, members, minY, h), Math.max(w, h), (minX + maxX + 1) / 2.0,
                    (minY + maxY + 1) / 2.0, count, fill));
        }
        out.sort(Comparator.comparingInt(Detected::pixels).reversed());
        return out;
    }

    /** Square, circle or triangle from the fill ratio, a triangle also by its narrow top. */
    private static Shape shape(double fill, List<Integer> members, int minY, int h) {
        if (fill >= 0.88) {
            return Shape.SQUARE;
        }
        int band = Math.max(1, h / 4);
        int topRows = 0;
        int bottomRows = 0;
        for (int p : members) {
            int y = p / N - minY;
            if (y < band) {
                topRows++;
            } else if (y >= h - band) {
                bottomRows++;
            }
        }
        // a triangle's top quarter holds far less than its bottom quarter; a circle's are alike
        boolean narrowTop = topRows < 0.55 * bottomRows;
        if (fill < 0.66 || narrowTop && fill < 0.74) {
            return Shape.TRIANGLE;
        }
        return Shape.CIRCLE;
    }
}
