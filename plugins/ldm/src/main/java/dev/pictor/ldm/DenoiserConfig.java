package dev.pictor.ldm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.io.ConfigJson;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a trained latent-diffusion UNet's {@code config.json} holds beside its weights: the UNet's shape
 * ({@link UNetConfig}, upstream's unet_config keys), the noise schedule it was trained with, what it predicts
 * ({@code eps}, {@code v} or {@code x0}), the side of the latents it denoises, and whether {@link CoordinateChannels}
 * are appended to them ({@code coordinate_channels}: 0, upstream's model, or 2; the UNet's {@code in_channels} counts
 * them).
 *
 * <pre>{@code
 * DenoiserConfig c = DenoiserConfig.read(Path.of("zoo/shapes-ldm/unet/config.json"));
 * UNetDenoiser unet = new UNetDenoiser(c, weights);
 * }</pre>
 */
public record DenoiserConfig(UNetConfig unet, NoiseSchedule schedule, Prediction prediction, int latentSize,
        int coordinateChannels) {

    public DenoiserConfig {
        if (coordinateChannels != 0 && coordinateChannels != CoordinateChannels.COUNT) {
            throw new BadInputException("coordinate_channels must be 0 or " + CoordinateChannels.COUNT + ", not "
                    + coordinateChannels);
        }
        if (unet.inChannels() <= coordinateChannels) {
            throw new BadInputException("the UNet's in_channels (" + unet.inChannels() + ") must exceed its"
                    + " coordinate_channels (" + coordinateChannels + ")");
        }
    }

    /** Upstream's model: no coordinate channels. */
    public DenoiserConfig(UNetConfig unet, NoiseSchedule schedule, Prediction prediction, int latentSize) {
        this(unet, schedule, prediction, latentSize, 0);
    }

    /** The channels of the latents it denoises: the UNet's input less the coordinate channels. */
    public int latentChannels() {
        return unet.inChannels() - coordinateChannels;
    }

    public static DenoiserConfig read(Path path) {
        return ConfigJson.read(path, "UNet", DenoiserConfig::parse);
    }

    public static DenoiserConfig parse(JsonNode root, String where) {
        UNetConfig unet = UNetConfig.parse(root, where);
        Map<String, Object> schedule = new LinkedHashMap<>();
        if (root.has("schedule")) {
            root.get("schedule").fields().forEachRemaining(e -> schedule.put(e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
        }
        String p = root.has("prediction") ? root.get("prediction").asText() : "eps";
        Prediction prediction = switch (p) {
            case "eps" -> Prediction.EPSILON;
            case "v" -> Prediction.V;
            case "x0" -> Prediction.X0;
            default -> throw new BadInputException(where + ": prediction must be eps, v or x0, not '" + p + "'");
        };
        return new DenoiserConfig(unet, NoiseSchedule.fromConfig(schedule), prediction,
                ConfigJson.integer(root, "latent_size", where),
                root.has("coordinate_channels") ? ConfigJson.integer(root, "coordinate_channels", where) : 0);
    }

    public ObjectNode toJson() {
        ObjectNode root = unet.toJson();
        ObjectNode s = root.putObject("schedule");
        schedule.toConfig().forEach((k, v) -> s.putPOJO(k, v));
        root.put("prediction", switch (prediction) {
            case EPSILON -> "eps";
            case V -> "v";
            case X0 -> "x0";
        });
        root.put("latent_size", latentSize);
        if (coordinateChannels > 0) {
            root.put("coordinate_channels", coordinateChannels);
        }
        return root;
    }

    public void write(Path path) throws IOException {
        ConfigJson.write(path, toJson());
    }
}
