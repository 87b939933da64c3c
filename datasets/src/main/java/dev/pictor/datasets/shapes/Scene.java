package dev.pictor.datasets.shapes;

import java.util.List;

/**
 * One or two objects on the black 32 × 32 canvas, and the prompt that describes them.
 *
 * @param objects one or two objects; two differ in colour, are not both large and do not overlap
 * @param prompt  a caption in the spec's grammar, true of the scene
 * @param caption the training caption: the prompt, or a paraphrase of it with the same meaning
 *
 * <pre>{@code
 * Scene s = world.scene(42);
 * s.prompt();    // "a small red circle above a blue square"
 * }</pre>
 */
public record Scene(List<SceneObject> objects, String prompt, String caption) {
    public Scene {
        objects = List.copyOf(objects);
        if (objects.isEmpty() || objects.size() > 2) {
            throw new IllegalArgumentException("a scene has one or two objects, not " + objects.size());
        }
        if (objects.size() == 2) {
            SceneObject a = objects.get(0);
            SceneObject b = objects.get(1);
            if (a.colour() == b.colour() || (a.isLarge() && b.isLarge()) || a.overlaps(b)) {
                throw new IllegalArgumentException("two objects must differ in colour, not both be large and not"
                        + " overlap: " + objects);
            }
        }
    }
}
