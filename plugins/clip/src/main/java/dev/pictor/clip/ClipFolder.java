package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CLIP model as it travels, a folder: {@code config.json}, {@code model.safetensors} (either layout) and, for the
 * zoo's own models, {@code bpe.txt} (without it, OpenAI's vocabulary). Opens the encoders and the tokenizer.
 *
 * <pre>{@code
 * ClipFolder clip = ClipFolder.at(Path.of("zoo/src/main/resources/pictor/zoo/shapes-clip"));
 * try (var text = clip.textEncoder(); var image = clip.imageEncoder()) { ... }
 * }</pre>
 *
 * @param dir the folder
 */
public record ClipFolder(Path dir) {
    /** The folder, checked to hold a config and weights. */
    public static ClipFolder at(Path dir) {
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new BadInputException(dir + " is not a CLIP model folder: it has no " + f);
            }
        }
        return new ClipFolder(dir);
    }

    public ClipConfig config() {
        return ClipConfig.read(dir.resolve("config.json"));
    }

    public ClipWeights weights() {
        return ClipWeights.load(config(), dir.resolve("model.safetensors"));
    }

    /** The folder's own merges with the model's context, or OpenAI's vocabulary. */
    public ClipBpeTokenizer tokenizer() {
        int context = config().text().contextLength();
        Path merges = dir.resolve("bpe.txt");
        return Files.isRegularFile(merges) ? ClipBpeTokenizer.fromMergesFile(merges, context)
                : ClipBpeTokenizer.withContext(context);
    }

    public ClipTextEncoder textEncoder() {
        ClipWeights w = weights();
        return new ClipTextEncoder(w.config(), w.tensors());
    }

    public ClipImageEncoder imageEncoder() {
        ClipWeights w = weights();
        return new ClipImageEncoder(w.config(), w.tensors());
    }
}
