package dev.pictor.dalle;

import static dev.pictor.api.io.ConfigJson.integer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.BadInputException;
import dev.pictor.api.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The shape of a DALL·E transformer: one sequence of {@code textLength} text positions (BPE ids, padded with a
 * padding token of each position's own) then {@code imageSize²} image positions (the dVAE's codes, row by row),
 * decoded left to right. The ids share one space: {@code [0, textVocab)} BPE tokens, then the
 * {@code textLength} padding tokens, then the {@code imageVocab} codes ({@link #imageOffset()}).
 *
 * <pre>{@code
 * DalleConfig c = new DalleConfig(1024, 16, 512, 8, 256, 8, 8);   // 16 text + 64 image positions
 * int first = c.imageOffset();                                     // id of code 0
 * }</pre>
 *
 * @param textVocab  BPE vocabulary (the tokenizer's ids)
 * @param textLength text positions N
 * @param imageVocab the dVAE's codebook K
 * @param imageSize  the code grid's side
 * @param width      model width
 * @param layers     transformer layers
 * @param heads      attention heads
 */
public record DalleConfig(int textVocab, int textLength, int imageVocab, int imageSize, int width, int layers,
        int heads) {

    public DalleConfig {
        if (textVocab < 1 || textLength < 1 || imageVocab < 2 || imageSize < 1 || width < 1 || layers < 1
                || heads < 1) {
            throw new BadInputException("DALL·E config: every size must be positive (got " + this + ")");
        }
        if (width % heads != 0) {
            throw new BadInputException("DALL·E config: width " + width + " is not a multiple of " + heads + " heads");
        }
    }

    /** The id of the padding token at text position {@code position}. */
    public int padId(int position) {
        return textVocab + position;
    }

    /** The id of code 0: codes are {@code imageOffset() + code}. */
    public int imageOffset() {
        return textVocab + textLength;
    }

    /** Every id the logits cover: text, padding and image tokens. */
    public int totalVocab() {
        return textVocab + textLength + imageVocab;
    }

    /** Image positions. */
    public int imageTokens() {
        return imageSize * imageSize;
    }

    /** Text then image positions. */
    public int sequenceLength() {
        return textLength + imageTokens();
    }

    /** Reads {@code config.json}. */
    public static DalleConfig read(Path path) {
        return ConfigJson.read(path, "DALL·E transformer", DalleConfig::parse);
    }

    /** Parses the JSON form; {@code where} names the source in errors. */
    public static DalleConfig parse(JsonNode root, String where) {
        return new DalleConfig(integer(root, "num_text_tokens", where), integer(root, "text_seq_len", where),
                integer(root, "num_image_tokens", where), integer(root, "image_fmap_size", where),
                integer(root, "dim", where), integer(root, "depth", where), integer(root, "heads", where));
    }

    /** The JSON form {@link #parse} reads (DALLE-pytorch's argument names). */
    public ObjectNode toJson() {
        ObjectNode root = ConfigJson.JSON.createObjectNode();
        root.put("type", "dalle").put("num_text_tokens", textVocab).put("text_seq_len", textLength)
                .put("num_image_tokens", imageVocab).put("image_fmap_size", imageSize).put("dim", width)
                .put("depth", layers).put("heads", heads);
        return root;
    }

    /** Writes {@link #toJson} to {@code path}. */
    public void write(Path path) throws IOException {
        ConfigJson.write(path, toJson());
    }
}
