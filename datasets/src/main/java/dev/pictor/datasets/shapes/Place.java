package dev.pictor.datasets.shapes;

/**
 * Where a single object is, as a prompt can say it: a horizontal third, a vertical third, or both. Index 0/1/2
 * is left/center/right for columns and top/middle/bottom for rows; -1 means the axis is not named.
 *
 * <pre>{@code
 * Place.TOP_LEFT.phrase();              // " in the top left"
 * Place.LEFT.matches(object);           // object.column() == 0, any row
 * }</pre>
 */
public enum Place {
    LEFT(" on the left", 0, -1),
    RIGHT(" on the right", 2, -1),
    CENTER(" in the center", 1, 1),
    TOP(" at the top", -1, 0),
    BOTTOM(" at the bottom", -1, 2),
    TOP_LEFT(" in the top left", 0, 0),
    TOP_RIGHT(" in the top right", 2, 0),
    BOTTOM_LEFT(" in the bottom left", 0, 2),
    BOTTOM_RIGHT(" in the bottom right", 2, 2);

    private final String phrase;
    private final int column;
    private final int row;

    Place(String phrase, int column, int row) {
        this.phrase = phrase;
        this.column = column;
        this.row = row;
    }

    /** The words after the object in a prompt, with their leading space. */
    public String phrase() {
        return phrase;
    }

    /** Named column (0 left, 1 center, 2 right) or -1. */
    public int column() {
        return column;
    }

    /** Named row (0 top, 1 middle, 2 bottom) or -1. */
    public int row() {
        return row;
    }

    /** Whether the object's centre is where this place says. */
    public boolean matches(SceneObject o) {
        return (column < 0 || o.column() == column) && (row < 0 || o.row() == row);
    }
}
