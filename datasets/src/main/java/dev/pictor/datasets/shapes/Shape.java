package dev.pictor.datasets.shapes;

import java.util.Locale;

/**
 * The Shapes world's three shapes, each drawn inside a square box of side {@code s}.
 *
 * <pre>{@code
 * Shape.TRIANGLE.fillRatio();   // 0.5
 * }</pre>
 */
public enum Shape {
    /** Axis-aligned, fills its box. */
    SQUARE(1.0),
    /** The disc inscribed in the box. */
    CIRCLE(Math.PI / 4),
    /** Upright isosceles: apex at the middle of the box's top edge, base along its bottom edge. */
    TRIANGLE(0.5);

    private final double fillRatio;

    Shape(double fillRatio) {
        this.fillRatio = fillRatio;
    }

    /** Area of the shape over area of its box. */
    public double fillRatio() {
        return fillRatio;
    }

    /** The caption word. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The shape for a caption word. */
    public static Shape parse(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }

    /**
     * Whether point (x, y) lies in this shape drawn in the box of side {@code s} whose top-left corner is
     * ({@code left}, {@code top}); pixel (0, 0) covers [0, 1) × [0, 1).
     */
    boolean contains(double left, double top, double s, double x, double y) {
        double u = (x - left) / s;
        double v = (y - top) / s;
        if (u < 0 || u >= 1 || v < 0 || v >= 1) {
            return false;
        }
        return switch (this) {
            case SQUARE -> true;
            case CIRCLE -> (u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5) <= 0.25;
            // At height v (0 at the apex, 1 at the base) the triangle spans a width of v around the middle.
            case TRIANGLE -> Math.abs(u - 0.5) <= v / 2;
        };
    }
}
