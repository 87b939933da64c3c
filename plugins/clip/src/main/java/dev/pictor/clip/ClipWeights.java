package dev.pictor.clip;

import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A CLIP checkpoint read and checked against its config: every tensor the model needs, with its shape, and nothing
 * else (the first missing and unexpected keys named otherwise). A pipeline's text and image encoders name the same
 * file; the last few files read are kept, so it is read once.
 *
 * @param config  the model's shape
 * @param tensors ClipModel's names
 */
public record ClipWeights(ClipConfig config, Map<String, INDArray> tensors) {
    private static final int KEPT = 4;
    private static final Map<String, ClipWeights> RECENT = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ClipWeights> eldest) {
            return size() > KEPT;
        }
    };

    /** Reads {@code file} (either layout) for {@code config}. */
    public static ClipWeights load(ClipConfig config, Path file) {
        String key;
        try {
            key = file.toRealPath() + "@" + java.nio.file.Files.getLastModifiedTime(file).toMillis() + "#"
                    + config.hashCode();
        } catch (java.io.IOException e) {
            throw new dev.pictor.api.BadInputException("cannot read CLIP weights " + file + ": " + e.getMessage());
        }
        synchronized (RECENT) {
            ClipWeights hit = RECENT.get(key);
            if (hit != null) {
                return hit;
            }
        }
        Map<String, INDArray> tensors = ClipCheckpoint.read(file);
        Map<String, long[]> given = new LinkedHashMap<>();
        tensors.forEach((k, v) -> given.put(k, v.shape()));
        try {
            Graph.checkState(shapes(config), given, true);
        } catch (dev.pictor.api.BadInputException e) {
            throw new dev.pictor.api.BadInputException(file + ": " + e.getMessage());
        }
        ClipWeights w = new ClipWeights(config, tensors);
        synchronized (RECENT) {
            RECENT.put(key, w);
        }
        return w;
    }

    /** The names and shapes a model of this config has (from the one definition, built once per config). */
    static Map<String, long[]> shapes(ClipConfig config) {
        synchronized (SHAPES) {
            return SHAPES.computeIfAbsent(config, c -> new ClipModel(c, Graph.Mode.INFER, 0).graph().shapes());
        }
    }

    private static final Map<ClipConfig, Map<String, long[]>> SHAPES = new java.util.HashMap<>();
}
