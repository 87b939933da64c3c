package dev.pictor.dalle;

import static dev.pictor.api.io.ConfigJson.integer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.BadInputException;
import dev.pictor.api.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The shape of a DALL·E discrete VAE, in the terms of OpenAI's {@code dall_e.Encoder} and {@code dall_e.Decoder}:
 * {@code group_count} groups of {@code n_blk_per_group} residual blocks, group g (from 0) {@code n_hid · 2^g} wide in
 * the encoder, each but the last followed by a 2 × 2 max-pool; the decoder mirrors it from {@code n_init} channels
 * with nearest ×2 upsampling; a codebook of {@code vocab_size} entries. Upstream fixes four groups (32 × 32 codes for
 * 256-pixel images, f = 8); {@code group_count} is the one generalisation, so that a 32-pixel picture can have 8 × 8
 * codes (three groups, f = 4) — with four groups the layers and names are upstream's exactly.
 *
 * <pre>{@code
 * DvaeConfig published = DvaeConfig.DALL_E;                 // 256×256×3 ↔ 32×32 codes of 8192
 * DvaeConfig shapes = new DvaeConfig(3, 64, 1, 3, 512, 64, 32);
 * }</pre>
 *
 * @param groupCount   groups (upstream: 4); the codes are {@code resolution / 2^(groupCount − 1)} a side
 * @param nHid         the first group's width; each group doubles it
 * @param nBlkPerGroup residual blocks per group
 * @param channels     image channels (the decoder gives twice as many: the logit-Laplace's means and log-scales)
 * @param vocabSize    codebook entries K
 * @param nInit        the decoder's width after its input convolution
 * @param resolution   image side
 */
public record DvaeConfig(int groupCount, int nHid, int nBlkPerGroup, int channels, int vocabSize, int nInit,
        int resolution) {

    /** OpenAI's published dVAE ({@code Encoder()} and {@code Decoder()} with their defaults, 256-pixel images). */
    public static final DvaeConfig DALL_E = new DvaeConfig(4, 256, 2, 3, 8192, 128, 256);

    public DvaeConfig {
        if (groupCount < 1 || nHid < 1 || nBlkPerGroup < 1 || channels < 1 || vocabSize < 2 || nInit < 1
                || resolution < 1) {
            throw new BadInputException("dVAE config: every size must be positive and the codebook at least 2 (got "
                    + this + ")");
        }
        if (nHid % 4 != 0) {
            throw new BadInputException("dVAE config: n_hid must be a multiple of 4 (a block's hidden width is a"
                    + " quarter of its output), not " + nHid);
        }
        if (resolution % (1 << (groupCount - 1)) != 0) {
            throw new BadInputException("dVAE config: resolution " + resolution + " does not halve "
                    + (groupCount - 1) + " times");
        }
    }

    /** The code grid's side. */
    public int codeSize() {
        return resolution >> (groupCount - 1);
    }

    /** Encoder group {@code g}'s width (from 0): {@code n_hid · 2^g}; the decoder's group g has the encoder's G−1−g. */
    public long width(int g) {
        return (long) nHid << g;
    }

    /**
     * Upstream's {@code post_gain}: each block's residual branch is scaled by 1 / n_layers², n_layers being all
     * blocks of one half.
     */
    public double postGain() {
        double layers = (double) groupCount * nBlkPerGroup;
        return 1 / (layers * layers);
    }

    /** Reads {@code config.json}. */
    public static DvaeConfig read(Path path) {
        return ConfigJson.read(path, "dVAE", DvaeConfig::parse);
    }

    /** Parses the JSON form; {@code where} names the source in errors. */
    public static DvaeConfig parse(JsonNode root, String where) {
        return new DvaeConfig(integer(root, "group_count", where), integer(root, "n_hid", where),
                integer(root, "n_blk_per_group", where), integer(root, "input_channels", where),
                integer(root, "vocab_size", where), integer(root, "n_init", where), integer(root, "resolution", where));
    }

    /** The JSON form {@link #parse} reads, in upstream's argument names. */
    public ObjectNode toJson() {
        ObjectNode root = ConfigJson.JSON.createObjectNode();
        root.put("type", "dvae").put("group_count", groupCount).put("n_hid", nHid).put("n_blk_per_group", nBlkPerGroup)
                .put("input_channels", channels).put("output_channels", channels).put("vocab_size", vocabSize)
                .put("n_init", nInit).put("resolution", resolution);
        return root;
    }

    /** Writes {@link #toJson} to {@code path}. */
    public void write(Path path) throws IOException {
        ConfigJson.write(path, toJson());
    }
}
