package dev.pictor.datasets.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The pixel checker on the world's own renders: it must call their prompts right, and the same prompts with one
 * word changed wrong — otherwise it could not tell a good generator from a bad one. Once on clean renders, once on
 * renders spoilt the way a decoder spoils them (blurred edges, fills drifting in colour, speckles).
 */
class ShapesCheckerTest {
    private static final int N = ShapesWorld.SIZE;

    /** Counts over {@code n} scenes: prompts judged right, and altered prompts judged wrong. */
    private record Tally(int n, int right, int recolourable, int wrongColour, int reshapeable, int wrongShape) {
    }

    private static Tally tally(int n, BiFunction<byte[], Integer, byte[]> spoil) {
        ShapesWorld world = new ShapesWorld(123, Set.of());
        int right = 0;
        int wrongColour = 0;
        int wrongShape = 0;
        int recolourable = 0;
        int reshapeable = 0;
        for (int i = 0; i < n; i++) {
            Scene s = world.scene(i);
            byte[] rgb = spoil.apply(world.render(s, true, i), i);
            if (ShapesChecker.judge(rgb, s.prompt()).correct()) {
                right++;
            }
            SceneObject o = s.objects().get(0);
            Colour other = Colour.values()[(o.colour().ordinal() + 1) % Colour.values().length];
            String recoloured = s.prompt().replaceFirst("\\b" + o.colour().word() + "\\b", other.word());
            boolean taken = s.objects().stream().anyMatch(x -> x.colour() == other);
            if (!taken) {
                recolourable++;
                wrongColour += ShapesChecker.judge(rgb, recoloured).correct() ? 0 : 1;
            }
            Shape otherShape = Shape.values()[(o.shape().ordinal() + 1) % Shape.values().length];
            String reshaped = s.prompt().replaceFirst("\\b" + o.colour().word() + " " + o.shape().word() + "\\b",
                    o.colour().word() + " " + otherShape.word());
            if (!reshaped.equals(s.prompt())) {
                reshapeable++;
                wrongShape += ShapesChecker.judge(rgb, reshaped).correct() ? 0 : 1;
            }
        }
        return new Tally(n, right, recolourable, wrongColour, reshapeable, wrongShape);
    }

    @Test
    void judgesTheWorldsOwnRendersRightAndAlteredPromptsWrong() {
        Tally t = tally(600, (rgb, i) -> rgb);
        assertThat(t.right()).as("clean renders judged right").isGreaterThanOrEqualTo(t.n() * 98 / 100);
        assertThat(t.wrongColour()).as("recoloured prompts judged wrong, of " + t.recolourable())
                .isGreaterThanOrEqualTo(t.recolourable() * 98 / 100);
        assertThat(t.wrongShape()).as("reshaped prompts judged wrong, of " + t.reshapeable())
                .isGreaterThanOrEqualTo(t.reshapeable() * 95 / 100);
        assertThat(t.recolourable() + t.reshapeable()).isGreaterThan(t.n());
    }

    /**
     * A decoder's pictures: edges blurred over three pixels, every object's fill drifting in colour from pixel to
     * pixel (up to ±25% a channel), one in twelve pixels a speckle. Squares must still read as squares (the old
     * fill-ratio reading called a square whose corners came back faint a circle), and a wrong word still wrong.
     */
    @Test
    void readsDecoderLikePicturesAndStillRefusesAlteredPrompts() {
        Tally t = tally(600, ShapesCheckerTest::spoil);
        assertThat(t.right()).as("spoilt renders judged right").isGreaterThanOrEqualTo(t.n() * 95 / 100);
        assertThat(t.wrongColour()).as("recoloured prompts judged wrong, of " + t.recolourable())
                .isGreaterThanOrEqualTo(t.recolourable() * 95 / 100);
        assertThat(t.wrongShape()).as("reshaped prompts judged wrong, of " + t.reshapeable())
                .isGreaterThanOrEqualTo(t.reshapeable() * 90 / 100);
    }

    private static byte[] spoil(byte[] rgb, int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] blurred = new double[rgb.length];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                for (int c = 0; c < 3; c++) {
                    // a [1 2 1]² kernel, weighted half against the sharp pixel
                    double sum = 0;
                    double weight = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = y + dy;
                            int xx = x + dx;
                            if (yy >= 0 && yy < N && xx >= 0 && xx < N) {
                                double k = (2 - Math.abs(dy)) * (2 - Math.abs(dx));
                                sum += k * (rgb[(yy * N + xx) * 3 + c] & 0xff);
                                weight += k;
                            }
                        }
                    }
                    int p = (y * N + x) * 3 + c;
                    blurred[p] = 0.5 * (rgb[p] & 0xff) + 0.5 * sum / weight;
                }
            }
        }
        byte[] out = new byte[rgb.length];
        for (int p = 0; p < N * N; p++) {
            boolean speckle = r.nextInt(12) == 0;
            for (int c = 0; c < 3; c++) {
                double v = blurred[3 * p + c] * (1 + 0.25 * (2 * r.nextDouble() - 1));
                if (speckle) {
                    v = 0.6 * v + 0.4 * r.nextInt(256);
                }
                out[3 * p + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return out;
    }

    @Test
    void aBlackPictureHasNoObjects() {
        assertThat(ShapesChecker.detect(new byte[32 * 32 * 3])).isEmpty();
        assertThat(ShapesChecker.judge(new byte[32 * 32 * 3], "a red circle").correct()).isFalse();
    }
}
