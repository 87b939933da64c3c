package dev.pictor.datasets.shapes;

/**
 * One object of a scene: a shape of a colour in a box of side {@code size} whose top-left corner is at integer
 * pixel ({@code left}, {@code top}); its centre is therefore ({@code left + size/2}, {@code top + size/2}).
 *
 * @param shape  circle, square or triangle
 * @param colour one of the palette's eight
 * @param size   box side in pixels: small 7–10, large 13–17
 * @param left   x of the box's left edge
 * @param top    y of the box's top edge
 *
 * <pre>{@code
 * SceneObject o = new SceneObject(Shape.CIRCLE, Colour.RED, 8, 2, 3);
 * o.cx();          // 6.0
 * o.isLarge();     // false
 * }</pre>
 */
public record SceneObject(Shape shape, Colour colour, int size, int left, int top) {
    public static final int SMALL_MIN = 7;
    public static final int SMALL_MAX = 10;
    public static final int LARGE_MIN = 13;
    public static final int LARGE_MAX = 17;

    public SceneObject {
        if (!(size >= SMALL_MIN && size <= SMALL_MAX) && !(size >= LARGE_MIN && size <= LARGE_MAX)) {
            throw new IllegalArgumentException("size " + size + " is neither small (7-10) nor large (13-17)");
        }
        if (left < 0 || top < 0 || left + size > ShapesWorld.SIZE || top + size > ShapesWorld.SIZE) {
            throw new IllegalArgumentException("box at (" + left + ", " + top + ") of side " + size
                    + " leaves the canvas");
        }
    }

    public double cx() {
        return left + size / 2.0;
    }

    public double cy() {
        return top + size / 2.0;
    }

    public boolean isLarge() {
        return size >= LARGE_MIN;
    }

    /** The caption word for the size. */
    public String sizeWord() {
        return isLarge() ? "large" : "small";
    }

    /** Whether the two boxes share any pixel. */
    public boolean overlaps(SceneObject o) {
        return left < o.left + o.size && o.left < left + size && top < o.top + o.size && o.top < top + size;
    }

    /** Horizontal third of the centre: 0 left, 1 center, 2 right. */
    public int column() {
        return third(cx());
    }

    /** Vertical third of the centre: 0 top, 1 middle, 2 bottom. */
    public int row() {
        return third(cy());
    }

    static int third(double c) {
        return c < ShapesWorld.SIZE / 3.0 ? 0 : c < 2 * ShapesWorld.SIZE / 3.0 ? 1 : 2;
    }
}
