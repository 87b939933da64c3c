package dev.pictor.ldm;

import static dev.pictor.api.io.ConfigJson.integer;
import static dev.pictor.api.io.ConfigJson.integers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.BadInputException;
import dev.pictor.api.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The shape of latent diffusion's UNet with spatial transformers, in the terms of CompVis's {@code unet_config}
 * ({@code openaimodel.UNetModel} with {@code use_spatial_transformer: True}, {@code legacy: False}):
 * {@code model_channels} at full resolution multiplied per level by {@code channel_mult}, {@code num_res_blocks}
 * residual blocks per level, a spatial transformer after each block at the downsampling factors in
 * {@code attention_resolutions}, heads given by count ({@code num_heads}) or by width ({@code num_head_channels};
 * −1 for whichever is unused), cross-attention to a {@code context_dim}-wide context. Every GroupNorm has 32
 * groups, so every width must be a multiple of 32.
 *
 * <pre>{@code
 * UNetConfig sd = UNetConfig.SD_V1;   // 860 M parameters, 4 → 4 channels, context 768
 * UNetConfig small = new UNetConfig(4, 4, 32, 1, List.of(1, 2), List.of(1, 2), 2, -1, 1, 24);
 * }</pre>
 *
 * @param inChannels           latent channels in
 * @param outChannels          channels predicted (ε)
 * @param modelChannels        channels at full resolution; the time embedding is 4× as wide
 * @param numResBlocks         residual blocks per level (the decoder side has one more)
 * @param attentionResolutions downsampling factors (1, 2, 4…) whose blocks get a spatial transformer
 * @param channelMult          channel multiplier per level
 * @param numHeads             heads, or −1 when {@code numHeadChannels} sets them
 * @param numHeadChannels      width per head, or −1 when {@code numHeads} sets it
 * @param transformerDepth     transformer blocks per spatial transformer
 * @param contextDim           width of the context's tokens (the text encoder's)
 * @param useScaleShiftNorm    residual blocks scale and shift their second GroupNorm's output by the embedding
 *                             (ADM's {@code use_scale_shift_norm}) instead of adding it before the norm
 * @param admInChannels        width of a vector condition (the text encoder's pooled output) mapped by
 *                             {@code label_emb} — Linear, SiLU, Linear — and added to the time embedding, as
 *                             Stability's {@code sgm} UNet does with {@code num_classes: "sequential"}; 0 for none
 */
public record UNetConfig(int inChannels, int outChannels, int modelChannels, int numResBlocks,
        List<Integer> attentionResolutions, List<Integer> channelMult, int numHeads, int numHeadChannels,
        int transformerDepth, int contextDim, boolean useScaleShiftNorm, int admInChannels) {

    /** Stable Diffusion 1.x's kind: the embedding added before the norm, no vector condition. */
    public UNetConfig(int inChannels, int outChannels, int modelChannels, int numResBlocks,
            List<Integer> attentionResolutions, List<Integer> channelMult, int numHeads, int numHeadChannels,
            int transformerDepth, int contextDim) {
        this(inChannels, outChannels, modelChannels, numResBlocks, attentionResolutions, channelMult, numHeads,
                numHeadChannels, transformerDepth, contextDim, false, 0);
    }

    /** upstream's {@code normalization}: GroupNorm32, 32 groups, ε 1e-5. */
    public static final int GROUPS = 32;
    public static final double EPS = 1e-5;

    /** Stable Diffusion 1.x ({@code configs/stable-diffusion/v1-inference.yaml}'s {@code unet_config}). */
    public static final UNetConfig SD_V1 = new UNetConfig(4, 4, 320, 2, List.of(4, 2, 1), List.of(1, 2, 4, 4), 8, -1,
            1, 768);

    public UNetConfig {
        attentionResolutions = List.copyOf(attentionResolutions);
        channelMult = List.copyOf(channelMult);
        if (inChannels <= 0 || outChannels <= 0 || modelChannels <= 0 || numResBlocks <= 0 || channelMult.isEmpty()
                || transformerDepth <= 0 || contextDim <= 0 || admInChannels < 0) {
            throw new BadInputException("UNet config: channels, res blocks, channel_mult, transformer_depth and"
                    + " context_dim must be positive, adm_in_channels not negative (got " + this + ")");
        }
        if ((numHeads == -1) == (numHeadChannels == -1)) {
            throw new BadInputException("UNet config: set exactly one of num_heads and num_head_channels (the other"
                    + " -1)");
        }
        for (int m : channelMult) {
            long width = (long) modelChannels * m;
            if (m <= 0 || width % GROUPS != 0) {
                throw new BadInputException("UNet config: every width model_channels·channel_mult must be a positive"
                        + " multiple of " + GROUPS + " (GroupNorm's groups); " + modelChannels + " × " + m + " is not");
            }
            if (numHeads > 0 ? width % numHeads != 0 : width % numHeadChannels != 0) {
                throw new BadInputException("UNet config: width " + width + " does not split into "
                        + (numHeads > 0 ? numHeads + " heads" : "heads of " + numHeadChannels));
            }
        }
    }

    /** Heads of a spatial transformer on {@code channels} channels. */
    public int heads(long channels) {
        return numHeads > 0 ? numHeads : (int) (channels / numHeadChannels);
    }

    /** Width per head of a spatial transformer on {@code channels} channels. */
    public long headWidth(long channels) {
        return numHeads > 0 ? channels / numHeads : numHeadChannels;
    }

    /** The time embedding's width: 4 · model_channels. */
    public int timeEmbedDim() {
        return 4 * modelChannels;
    }

    /** Levels − 1: how many times the latent halves (its side must divide by 2 to that power). */
    public int halvings() {
        return channelMult.size() - 1;
    }

    /** Reads {@code config.json}: {@code {"type": "unet", …unet_config's params…}}. */
    public static UNetConfig read(Path path) {
        return ConfigJson.read(path, "UNet", UNetConfig::parse);
    }

    /** Parses the JSON form (upstream's parameter names); {@code where} names the source in errors. */
    public static UNetConfig parse(JsonNode root, String where) {
        if (root.has("use_spatial_transformer") && !root.get("use_spatial_transformer").asBoolean()) {
            throw new BadInputException(where + ": only UNets with spatial transformers (use_spatial_transformer true)"
                    + " are supported");
        }
        if (root.has("legacy") && root.get("legacy").asBoolean()) {
            throw new BadInputException(where + ": legacy head counting is not supported: set legacy false");
        }
        return new UNetConfig(integer(root, "in_channels", where), integer(root, "out_channels", where),
                integer(root, "model_channels", where), integer(root, "num_res_blocks", where),
                integers(root, "attention_resolutions", where), integers(root, "channel_mult", where),
                root.has("num_heads") ? root.get("num_heads").asInt() : -1,
                root.has("num_head_channels") ? root.get("num_head_channels").asInt() : -1,
                root.has("transformer_depth") ? root.get("transformer_depth").asInt() : 1,
                integer(root, "context_dim", where),
                root.has("use_scale_shift_norm") && root.get("use_scale_shift_norm").asBoolean(),
                root.has("adm_in_channels") ? integer(root, "adm_in_channels", where) : 0);
    }

    /** The JSON form {@link #parse} reads. */
    public ObjectNode toJson() {
        ObjectNode root = ConfigJson.JSON.createObjectNode();
        root.put("type", "unet").put("in_channels", inChannels).put("out_channels", outChannels)
                .put("model_channels", modelChannels).put("num_res_blocks", numResBlocks);
        attentionResolutions.forEach(root.putArray("attention_resolutions")::add);
        channelMult.forEach(root.putArray("channel_mult")::add);
        root.put("num_heads", numHeads).put("num_head_channels", numHeadChannels)
                .put("use_spatial_transformer", true).put("transformer_depth", transformerDepth)
                .put("context_dim", contextDim).put("legacy", false);
        // written only when set, so a Stable Diffusion 1.x config reads as upstream's yaml does
        if (useScaleShiftNorm) {
            root.put("use_scale_shift_norm", true);
        }
        if (admInChannels > 0) {
            root.put("adm_in_channels", admInChannels);
        }
        return root;
    }

    /** Writes {@link #toJson} to {@code path}. */
    public void write(Path path) throws IOException {
        ConfigJson.write(path, toJson());
    }
}
