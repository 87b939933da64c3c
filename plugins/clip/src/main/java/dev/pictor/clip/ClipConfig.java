package dev.pictor.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.BadInputException;
import dev.pictor.nn.layers.Activation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The shape of a CLIP model: a text transformer, an image tower (a {@link VisionTransformer} or a
 * {@link ModifiedResNet}) and the joint embedding width — OpenAI's {@code CLIP(...)} arguments, with the head
 * counts written out (OpenAI derives them from the widths; small models trained here choose them).
 *
 * <p>It travels beside the weights as {@code config.json}:
 * <pre>{@code
 * {"embed_dim": 512, "activation": "quick_gelu", "layer_norm_eps": 1e-5,
 *  "text":   {"vocab_size": 49408, "context_length": 77, "width": 512, "heads": 8, "layers": 12},
 *  "vision": {"type": "vit", "image_size": 224, "patch_size": 32, "width": 768, "heads": 12, "layers": 12}}
 * }</pre>
 * A Hugging Face {@code CLIPModel} config.json ({@code projection_dim}, {@code text_config}, {@code vision_config})
 * is read too.
 *
 * <pre>{@code
 * ClipConfig vitB32 = ClipConfig.VIT_B_32;
 * ClipConfig mine = ClipConfig.read(Path.of("zoo/shapes-clip/config.json"));
 * }</pre>
 *
 * @param embedDim     width of the joint embedding (the projections' output)
 * @param text         the text transformer
 * @param vision       the image tower
 * @param activation   the MLPs' non-linearity (OpenAI's models: QuickGELU)
 * @param layerNormEps LayerNorm epsilon of every LayerNorm
 */
public record ClipConfig(int embedDim, TextTower text, VisionTower vision, Activation activation, double layerNormEps) {

    /** OpenAI's text tower: 49,408 tokens, 77 positions, 512 wide, 8 heads, 12 layers. */
    public static final TextTower OPENAI_TEXT = new TextTower(49408, 77, 512, 8, 12, 2048);
    /** OpenAI's ViT-B/32. */
    public static final ClipConfig VIT_B_32 = new ClipConfig(512, OPENAI_TEXT,
            new VisionTransformer(224, 32, 768, 12, 12, 3072), Activation.QUICK_GELU, 1e-5);
    /**
     * OpenAI's ViT-L/14 (text width 768, 12 heads, 12 layers; ViT 224 px, patch 14, width 1024, 16 heads, 24 layers).
     * Its text tower is Stable Diffusion 1.x's text encoder: SD conditions on that tower's token states after the
     * final LayerNorm (Hugging Face's {@code last_hidden_state}) and ships it without the projection
     * ({@code cond_stage_model.transformer.text_model.*}); {@link ClipTextEncoder} loads such text-only weights.
     */
    public static final ClipConfig VIT_L_14 = new ClipConfig(768, new TextTower(49408, 77, 768, 12, 12, 3072),
            new VisionTransformer(224, 14, 1024, 16, 24, 4096), Activation.QUICK_GELU, 1e-5);
    /** OpenAI's RN50. */
    public static final ClipConfig RN50 = new ClipConfig(1024, OPENAI_TEXT,
            new ModifiedResNet(224, List.of(3, 4, 6, 3), 64, 32), Activation.QUICK_GELU, 1e-5);

    public ClipConfig {
        positive(embedDim, "embed_dim");
        if (text == null || vision == null || activation == null) {
            throw new BadInputException("a CLIP config needs text, vision and activation");
        }
        if (!(layerNormEps > 0)) {
            throw new BadInputException("layer_norm_eps must be positive, not " + layerNormEps);
        }
    }

    /**
     * The text transformer: token and position embeddings, pre-LN causal layers, a final LayerNorm, the state at
     * the end-of-text token projected to the joint space.
     *
     * @param vocabSize     token ids
     * @param contextLength positions (77 for OpenAI's)
     * @param width         model width
     * @param heads         attention heads
     * @param layers        transformer layers
     * @param mlpWidth      MLP inner width (4 × width in OpenAI's)
     */
    public record TextTower(int vocabSize, int contextLength, int width, int heads, int layers, int mlpWidth) {
        public TextTower {
            positive(vocabSize, "text.vocab_size");
            positive(contextLength, "text.context_length");
            positive(layers, "text.layers");
            positive(mlpWidth, "text.mlp_width");
            checkHeads(width, heads, "text");
        }
    }

    /** The image tower, one of two kinds. */
    public sealed interface VisionTower permits VisionTransformer, ModifiedResNet {
        /** Side of the square input image in pixels. */
        int imageSize();

        /** Width of the token states ({@link dev.pictor.api.spi.Encoder.Output#TOKENS}). */
        int tokenWidth();
    }

    /**
     * The ViT: the image cut into patches, a class token, pre-LN layers, the class token's state projected.
     *
     * @param imageSize input side
     * @param patchSize patch side (divides imageSize)
     * @param width     model width
     * @param heads     attention heads (width / 64 in OpenAI's)
     * @param layers    transformer layers
     * @param mlpWidth  MLP inner width (4 × width in OpenAI's)
     */
    public record VisionTransformer(int imageSize, int patchSize, int width, int heads, int layers, int mlpWidth)
            implements VisionTower {
        public VisionTransformer {
            positive(imageSize, "vision.image_size");
            positive(patchSize, "vision.patch_size");
            positive(layers, "vision.layers");
            positive(mlpWidth, "vision.mlp_width");
            checkHeads(width, heads, "vision");
            if (imageSize % patchSize != 0) {
                throw new BadInputException("vision.patch_size " + patchSize + " does not divide image_size "
                        + imageSize);
            }
        }

        /** Patches per side. */
        public int grid() {
            return imageSize / patchSize;
        }

        @Override
        public int tokenWidth() {
            return width;
        }
    }

    /**
     * OpenAI's ResNet: a three-convolution stem, four stages of bottleneck blocks with anti-aliased (average-pooled)
     * strides, and attention pooling.
     *
     * @param imageSize input side (a multiple of 32)
     * @param layers    bottleneck blocks in each of the four stages
     * @param width     stem width (the last stage is 32 × width wide)
     * @param heads     heads of the attention pooling (width · 32 / 64 in OpenAI's)
     */
    public record ModifiedResNet(int imageSize, List<Integer> layers, int width, int heads) implements VisionTower {
        public ModifiedResNet {
            positive(imageSize, "vision.image_size");
            positive(width, "vision.width");
            layers = List.copyOf(layers);
            if (layers.size() != 4 || layers.stream().anyMatch(n -> n < 1)) {
                throw new BadInputException("vision.layers of a ResNet are four positive block counts, not " + layers);
            }
            if (imageSize % 32 != 0) {
                throw new BadInputException("a ResNet's vision.image_size must be a multiple of 32, not " + imageSize);
            }
            checkHeads(width * 32, heads, "vision");
        }

        /** Side of the last stage's map (the attention pool's grid). */
        public int grid() {
            return imageSize / 32;
        }

        @Override
        public int tokenWidth() {
            return width * 32;
        }
    }

    private static void positive(int v, String what) {
        if (v < 1) {
            throw new BadInputException(what + " must be positive, not " + v);
        }
    }

    private static void checkHeads(int width, int heads, String tower) {
        positive(width, tower + ".width");
        positive(heads, tower + ".heads");
        if (width % heads != 0) {
            throw new BadInputException(tower + ".heads " + heads + " do not divide " + tower + ".width " + width);
        }
    }

    // ---------------------------------------------------------------------------------------------- JSON

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads our config.json or a Hugging Face CLIPModel config.json; a bad file gets one line naming the problem. */
    public static ClipConfig read(Path path) {
        try {
            return parse(JSON.readTree(Files.readString(path)), path.toString());
        } catch (IOException e) {
            throw new BadInputException("cannot read the CLIP config " + path + ": " + e.getMessage());
        }
    }

    /** Parses a config from JSON text ({@code where} names it in messages). */
    public static ClipConfig parse(JsonNode root, String where) {
        if (root == null || !root.isObject()) {
            throw new BadInputException(where + " is not a JSON object");
        }
        try {
            return root.has("text_config") || root.has("vision_config") ? fromHuggingFace(root) : fromOurs(root);
        } catch (BadInputException e) {
            throw new BadInputException(where + ": " + e.getMessage());
        }
    }

    private static ClipConfig fromOurs(JsonNode root) {
        known(root, "", Set.of("embed_dim", "activation", "layer_norm_eps", "text", "vision"));
        JsonNode t = object(root, "text");
        known(t, "text.", Set.of("vocab_size", "context_length", "width", "heads", "layers", "mlp_width"));
        int tw = integer(t, "text.", "width", -1);
        TextTower text = new TextTower(integer(t, "text.", "vocab_size", -1), integer(t, "text.", "context_length", -1),
                tw, integer(t, "text.", "heads", -1), integer(t, "text.", "layers", -1),
                integer(t, "text.", "mlp_width", 4 * tw));
        JsonNode v = object(root, "vision");
        String type = v.path("type").asText("");
        VisionTower vision = switch (type) {
            case "vit" -> {
                known(v, "vision.", Set.of("type", "image_size", "patch_size", "width", "heads", "layers", "mlp_width"));
                int vw = integer(v, "vision.", "width", -1);
                yield new VisionTransformer(integer(v, "vision.", "image_size", -1),
                        integer(v, "vision.", "patch_size", -1), vw, integer(v, "vision.", "heads", -1),
                        integer(v, "vision.", "layers", -1), integer(v, "vision.", "mlp_width", 4 * vw));
            }
            case "resnet" -> {
                known(v, "vision.", Set.of("type", "image_size", "layers", "width", "heads"));
                JsonNode l = v.get("layers");
                if (l == null || !l.isArray()) {
                    throw new BadInputException("vision.layers of a ResNet must be a list of four block counts");
                }
                List<Integer> counts = new ArrayList<>();
                l.forEach(n -> counts.add(n.asInt(-1)));
                yield new ModifiedResNet(integer(v, "vision.", "image_size", -1), counts,
                        integer(v, "vision.", "width", -1), integer(v, "vision.", "heads", -1));
            }
            default -> throw new BadInputException("vision.type must be \"vit\" or \"resnet\", not \"" + type + "\"");
        };
        return new ClipConfig(integer(root, "", "embed_dim", -1), text, vision,
                activation(root.path("activation").asText("quick_gelu")), number(root, "layer_norm_eps", 1e-5));
    }

    /** Hugging Face's CLIPConfig (ViT image towers only: transformers has no ModifiedResNet). */
    private static ClipConfig fromHuggingFace(JsonNode root) {
        JsonNode t = object(root, "text_config");
        JsonNode v = object(root, "vision_config");
        // transformers' defaults for keys a saved config may omit
        int tw = integer(t, "text_config.", "hidden_size", 512);
        TextTower text = new TextTower(integer(t, "text_config.", "vocab_size", 49408),
                integer(t, "text_config.", "max_position_embeddings", 77), tw,
                integer(t, "text_config.", "num_attention_heads", 8), integer(t, "text_config.", "num_hidden_layers", 12),
                integer(t, "text_config.", "intermediate_size", 2048));
        int vw = integer(v, "vision_config.", "hidden_size", 768);
        VisionTransformer vision = new VisionTransformer(integer(v, "vision_config.", "image_size", 224),
                integer(v, "vision_config.", "patch_size", 32), vw, integer(v, "vision_config.", "num_attention_heads", 12),
                integer(v, "vision_config.", "num_hidden_layers", 12), integer(v, "vision_config.", "intermediate_size", 3072));
        String textAct = t.path("hidden_act").asText("quick_gelu");
        String visionAct = v.path("hidden_act").asText("quick_gelu");
        if (!textAct.equals(visionAct)) {
            throw new BadInputException("text_config.hidden_act " + textAct + " differs from vision_config.hidden_act "
                    + visionAct + ": Pictor's CLIP uses one activation for both towers");
        }
        double eps = number(t, "layer_norm_eps", 1e-5);
        if (eps != number(v, "layer_norm_eps", 1e-5)) {
            throw new BadInputException("the towers' layer_norm_eps differ: Pictor's CLIP uses one for both");
        }
        return new ClipConfig(integer(root, "", "projection_dim", 512), text, vision, activation(textAct), eps);
    }

    /** This config as our config.json. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("embed_dim", embedDim);
        root.put("activation", activation.name().toLowerCase(Locale.ROOT));
        root.put("layer_norm_eps", layerNormEps);
        ObjectNode t = root.putObject("text");
        t.put("vocab_size", text.vocabSize()).put("context_length", text.contextLength()).put("width", text.width())
                .put("heads", text.heads()).put("layers", text.layers()).put("mlp_width", text.mlpWidth());
        ObjectNode v = root.putObject("vision");
        if (vision instanceof VisionTransformer vit) {
            v.put("type", "vit").put("image_size", vit.imageSize()).put("patch_size", vit.patchSize())
                    .put("width", vit.width()).put("heads", vit.heads()).put("layers", vit.layers())
                    .put("mlp_width", vit.mlpWidth());
        } else if (vision instanceof ModifiedResNet rn) {
            v.put("type", "resnet").put("image_size", rn.imageSize()).put("width", rn.width()).put("heads", rn.heads());
            rn.layers().forEach(v.putArray("layers")::add);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Activation activation(String name) {
        return switch (name) {
            case "quick_gelu" -> Activation.QUICK_GELU;
            case "gelu" -> Activation.GELU;
            default -> throw new BadInputException("activation must be quick_gelu or gelu, not " + name);
        };
    }

    private static JsonNode object(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.isObject()) {
            throw new BadInputException("missing the \"" + key + "\" object");
        }
        return n;
    }

    private static int integer(JsonNode n, String prefix, String key, int fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (fallback < 0) {
                throw new BadInputException("missing " + prefix + key);
            }
            return fallback;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw new BadInputException(prefix + key + " must be a whole number, not " + v);
        }
        return v.intValue();
    }

    private static double number(JsonNode n, String key, double fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new BadInputException(key + " must be a number, not " + v);
        }
        return v.doubleValue();
    }

    private static void known(JsonNode n, String prefix, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new BadInputException("unknown key " + prefix + k + dev.pictor.api.Names.closest(k, allowed)
                        .map(s -> " (did you mean " + prefix + s + "?)").orElse(""));
            }
        }
    }
}
