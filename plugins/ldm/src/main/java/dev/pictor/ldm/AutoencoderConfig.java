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
 * The shape of a latent-diffusion KL autoencoder, in the terms of CompVis's {@code ddconfig} (its yaml configs'
 * {@code first_stage_config.params}): {@code ch} channels at full resolution multiplied per level by
 * {@code ch_mult}, {@code num_res_blocks} residual blocks per level, self-attention at the resolutions in
 * {@code attn_resolutions}, a latent of {@code embed_dim} channels at {@code resolution / 2^(levels−1)}, and the
 * factor latents are scaled by before diffusion ({@code scale_factor}, a {@code LatentDiffusion} setting kept here
 * because it belongs to the autoencoder's weights). Every GroupNorm has 32 groups (upstream's {@code Normalize}),
 * so every width must be a multiple of 32.
 *
 * <pre>{@code
 * AutoencoderConfig sd = AutoencoderConfig.SD_V1;            // 256×256×3 ↔ 32×32×4
 * AutoencoderConfig small = new AutoencoderConfig(32, List.of(1, 2), 1, List.of(8), 16, 3, 3, 4, 4, 1.0);
 * AutoencoderConfig read = AutoencoderConfig.read(Path.of("config.json"));
 * }</pre>
 *
 * @param ch               channels at full resolution
 * @param chMult           channel multiplier per level; levels − 1 halvings
 * @param numResBlocks     residual blocks per level (the decoder has one more)
 * @param attnResolutions  resolutions whose blocks are followed by self-attention (the mid block always has it)
 * @param resolution       image side
 * @param inChannels       image channels in
 * @param outCh            image channels out
 * @param zChannels        the encoder's latent channels (its output has twice as many: mean and log-variance)
 * @param embedDim         the latent's channels after {@code quant_conv}
 * @param scaleFactor      what latents are multiplied by before diffusion (SD 1.x: 0.18215)
 */
public record AutoencoderConfig(int ch, List<Integer> chMult, int numResBlocks, List<Integer> attnResolutions,
        int resolution, int inChannels, int outCh, int zChannels, int embedDim, double scaleFactor) {

    /** Upstream's {@code Normalize}: GroupNorm with 32 groups, ε 1e-6. */
    public static final int GROUPS = 32;
    public static final double EPS = 1e-6;

    /** Stable Diffusion 1.x's first stage ({@code configs/stable-diffusion/v1-inference.yaml}). */
    public static final AutoencoderConfig SD_V1 = new AutoencoderConfig(128, List.of(1, 2, 4, 4), 2, List.of(), 256,
            3, 3, 4, 4, 0.18215);

    public AutoencoderConfig {
        chMult = List.copyOf(chMult);
        attnResolutions = List.copyOf(attnResolutions);
        if (ch <= 0 || chMult.isEmpty() || numResBlocks < 0 || resolution <= 0 || inChannels <= 0 || outCh <= 0
                || zChannels <= 0 || embedDim <= 0 || !(scaleFactor > 0)) {
            throw new BadInputException("autoencoder config: ch, ch_mult, resolution, channels and scale_factor must be"
                    + " positive (got " + this + ")");
        }
        for (int m : chMult) {
            if (m <= 0 || (long) ch * m % GROUPS != 0) {
                throw new BadInputException("autoencoder config: every width ch·ch_mult must be a positive multiple of"
                        + " " + GROUPS + " (GroupNorm's groups); ch " + ch + " × " + m + " is not");
            }
        }
        if (resolution % (1 << (chMult.size() - 1)) != 0) {
            throw new BadInputException("autoencoder config: resolution " + resolution + " does not halve "
                    + (chMult.size() - 1) + " times");
        }
    }

    /** Number of resolutions (levels). */
    public int levels() {
        return chMult.size();
    }

    /** The latent's side: {@code resolution / 2^(levels − 1)}. */
    public int latentSize() {
        return resolution >> (levels() - 1);
    }

    /** The downsampling factor f: image side / latent side. */
    public int factor() {
        return 1 << (levels() - 1);
    }

    /** Reads {@code config.json}: {@code {"type": "kl-autoencoder", "embed_dim", "scale_factor", "ddconfig": {…}}}. */
    public static AutoencoderConfig read(Path path) {
        return ConfigJson.read(path, "autoencoder", AutoencoderConfig::parse);
    }

    /** Parses the JSON form; {@code where} names the source in errors. */
    public static AutoencoderConfig parse(JsonNode root, String where) {
        JsonNode dd = root.get("ddconfig");
        if (dd == null || !dd.isObject()) {
            throw new BadInputException(where + ": an autoencoder config needs a \"ddconfig\" object");
        }
        if (dd.has("double_z") && !dd.get("double_z").asBoolean()) {
            throw new BadInputException(where + ": a KL autoencoder has double_z true (mean and log-variance)");
        }
        return new AutoencoderConfig(integer(dd, "ch", where), integers(dd, "ch_mult", where),
                integer(dd, "num_res_blocks", where), integers(dd, "attn_resolutions", where),
                integer(dd, "resolution", where), integer(dd, "in_channels", where), integer(dd, "out_ch", where),
                integer(dd, "z_channels", where), integer(root, "embed_dim", where),
                root.has("scale_factor") ? root.get("scale_factor").asDouble() : 1.0);
    }

    /** The JSON form {@link #parse} reads. */
    public ObjectNode toJson() {
        ObjectNode root = ConfigJson.JSON.createObjectNode();
        root.put("type", "kl-autoencoder").put("embed_dim", embedDim).put("scale_factor", scaleFactor);
        ObjectNode dd = root.putObject("ddconfig");
        dd.put("double_z", true).put("z_channels", zChannels).put("resolution", resolution)
                .put("in_channels", inChannels).put("out_ch", outCh).put("ch", ch);
        chMult.forEach(dd.putArray("ch_mult")::add);
        dd.put("num_res_blocks", numResBlocks);
        attnResolutions.forEach(dd.putArray("attn_resolutions")::add);
        dd.put("dropout", 0.0);
        return root;
    }

    /** Writes {@link #toJson} to {@code path}. */
    public void write(Path path) throws IOException {
        ConfigJson.write(path, toJson());
    }
}
