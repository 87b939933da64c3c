package dev.pictor.datasets.shapes;

import java.util.Locale;

/**
 * The Shapes world's palette (spec version 1): eight named colours and their exact RGB values.
 *
 * <pre>{@code
 * Colour.ORANGE.rgb();      // [245, 130, 20]
 * Colour.parse("cyan");     // CYAN
 * }</pre>
 */
public enum Colour {
    RED(230, 25, 25),
    GREEN(25, 200, 25),
    BLUE(40, 60, 235),
    YELLOW(235, 220, 30),
    PURPLE(150, 40, 200),
    ORANGE(245, 130, 20),
    CYAN(30, 210, 220),
    WHITE(240, 240, 240);

    private final int r;
    private final int g;
    private final int b;

    Colour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** {@code [r, g, b]}, 0–255. */
    public int[] rgb() {
        return new int[] {r, g, b};
    }

    public int r() {
        return r;
    }

    public int g() {
        return g;
    }

    public int b() {
        return b;
    }

    /** The caption word. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The colour for a caption word. */
    public static Colour parse(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
