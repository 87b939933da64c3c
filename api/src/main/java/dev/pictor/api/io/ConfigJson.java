package dev.pictor.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Reading and writing a model's {@code config.json} (the file that travels beside its weights), with one-line errors
 * naming the file and field — shared by the plugins whose configs are upstream's JSON.
 *
 * <pre>{@code
 * MyConfig c = ConfigJson.read(dir.resolve("config.json"), "dVAE", MyConfig::parse);
 * int width = ConfigJson.integer(root, "n_hid", where);
 * }</pre>
 */
public final class ConfigJson {
    public static final ObjectMapper JSON = new ObjectMapper();

    private ConfigJson() {
    }

    public static <T> T read(Path path, String what, BiFunction<JsonNode, String, T> parse) {
        try {
            return parse.apply(JSON.readTree(Files.readString(path)), path.toString());
        } catch (IOException e) {
            throw new BadInputException("cannot read the " + what + " config " + path + ": " + e.getMessage());
        }
    }

    public static void write(Path path, ObjectNode json) throws IOException {
        Files.writeString(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    }

    public static int integer(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new BadInputException(where + ": \"" + field + "\" must be an integer");
        }
        return v.asInt();
    }

    public static List<Integer> integers(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new BadInputException(where + ": \"" + field + "\" must be a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        v.forEach(e -> out.add(e.asInt()));
        return out;
    }
}
