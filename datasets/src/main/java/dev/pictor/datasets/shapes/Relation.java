package dev.pictor.datasets.shapes;

/**
 * Spatial relations between two objects, read from box centres (spec: 4 pixels apart at least).
 *
 * <pre>{@code
 * Relation.ABOVE.holds(redCircle, blueSquare);   // cy(red) + 4 <= cy(blue)
 * }</pre>
 */
public enum Relation {
    ABOVE("above"),
    BELOW("below"),
    LEFT_OF("to the left of"),
    RIGHT_OF("to the right of");

    /** Minimum distance between centres, in pixels, along the relation's axis. */
    public static final double MARGIN = 4;

    private final String phrase;

    Relation(String phrase) {
        this.phrase = phrase;
    }

    /** The words between the two objects in a prompt. */
    public String phrase() {
        return phrase;
    }

    /** Whether "a RELATION b" is true. */
    public boolean holds(SceneObject a, SceneObject b) {
        return switch (this) {
            case ABOVE -> a.cy() + MARGIN <= b.cy();
            case BELOW -> a.cy() >= b.cy() + MARGIN;
            case LEFT_OF -> a.cx() + MARGIN <= b.cx();
            case RIGHT_OF -> a.cx() >= b.cx() + MARGIN;
        };
    }

    /** The relation with the objects swapped. */
    public Relation inverse() {
        return switch (this) {
            case ABOVE -> BELOW;
            case BELOW -> ABOVE;
            case LEFT_OF -> RIGHT_OF;
            case RIGHT_OF -> LEFT_OF;
        };
    }
}
