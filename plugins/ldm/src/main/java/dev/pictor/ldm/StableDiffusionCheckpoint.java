package dev.pictor.ldm;

import dev.pictor.api.BadInputException;
import dev.pictor.api.weights.SafetensorsFile;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipModel;
import dev.pictor.clip.ClipTextEncoder;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Stable Diffusion 1.x single-file checkpoint (CompVis's {@code LatentDiffusion} state dict, as
 * {@code .safetensors}) split into what each model loads, keys unchanged below their prefix:
 * {@code model.diffusion_model.*} → {@link UNet}, {@code first_stage_model.*} → {@link KlAutoencoder},
 * {@code cond_stage_model.transformer.*} → the text encoder (Hugging Face's {@code CLIPTextModel} layout: the text
 * tower of {@link ClipConfig#VIT_L_14}, which {@link ClipTextEncoder} loads; its {@code position_ids} table is
 * dropped). The noise schedule's buffers ({@code betas}, {@code alphas_cumprod}, …) are recognised and
 * left out (the generation core computes the schedule), as are {@code model_ema.*} copies unless asked for; any
 * other key is an error naming it. Pickled {@code .ckpt} files are not read: they execute code on load; convert
 * them to safetensors first.
 *
 * <pre>{@code
 * var parts = StableDiffusionCheckpoint.read(Path.of("v1-5-pruned.safetensors"), true);   // EMA weights
 * StableDiffusionCheckpoint.check(StableDiffusionCheckpoint.shapes(parts), UNetConfig.SD_V1,
 *         AutoencoderConfig.SD_V1, ClipConfig.VIT_L_14);
 * unetGraph.load(parts.unet(), true);
 * var text = new ClipTextEncoder(ClipConfig.VIT_L_14, parts.textEncoder());   // token states: the UNet's context
 * }</pre>
 */
public final class StableDiffusionCheckpoint {
    public static final String UNET = "model.diffusion_model.";
    public static final String AUTOENCODER = "first_stage_model.";
    public static final String TEXT_ENCODER = "cond_stage_model.transformer.";
    public static final String EMA = "model_ema.";
    /** The text encoder's position table, {@code arange(77)}: a buffer the model does not read. */
    static final String TEXT_POSITION_IDS = "text_model.embeddings.position_ids";

    /** {@code LatentDiffusion}'s registered buffers: the DDPM schedule, derived from {@code betas}. */
    static final Set<String> SCHEDULE = Set.of("betas", "alphas_cumprod", "alphas_cumprod_prev",
            "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
            "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
            "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar",
            "scale_factor");

    private StableDiffusionCheckpoint() {
    }

    /**
     * The checkpoint's parts.
     *
     * @param unet        the UNet's tensors (EMA weights when asked for and present)
     * @param autoencoder the first stage's
     * @param textEncoder the text encoder's (Hugging Face layout, {@code text_model.*})
     * @param ignored     keys recognised and not loaded (schedule buffers, unused EMA copies)
     */
    public record Parts<T>(Map<String, T> unet, Map<String, T> autoencoder, Map<String, T> textEncoder,
            List<String> ignored) {
    }

    /**
     * Splits a checkpoint's entries (tensors, or shapes) by model. With {@code ema}, the UNet's entries come from the
     * {@code model_ema.} copies, whose names are the UNet's with the dots removed (upstream's {@code LitEma}); it is
     * an error if the checkpoint has none.
     *
     * @param where names the checkpoint in errors
     */
    public static <T> Parts<T> split(Map<String, T> all, boolean ema, String where) {
        Map<String, T> unet = new LinkedHashMap<>();
        Map<String, T> autoencoder = new LinkedHashMap<>();
        Map<String, T> text = new LinkedHashMap<>();
        Map<String, T> averaged = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, T> e : all.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(UNET)) {
                unet.put(k.substring(UNET.length()), e.getValue());
            } else if (k.startsWith(AUTOENCODER)) {
                autoencoder.put(k.substring(AUTOENCODER.length()), e.getValue());
            } else if (k.equals(TEXT_ENCODER + TEXT_POSITION_IDS)) {
                ignored.add(k);
            } else if (k.startsWith(TEXT_ENCODER)) {
                text.put(k.substring(TEXT_ENCODER.length()), e.getValue());
            } else if (k.startsWith(EMA)) {
                averaged.put(k.substring(EMA.length()), e.getValue());
            } else if (SCHEDULE.contains(k)) {
                ignored.add(k);
            } else {
                throw new BadInputException(where + ": unexpected key \"" + k + "\": not a Stable Diffusion 1.x"
                        + " checkpoint (its keys start with " + UNET + ", " + AUTOENCODER + ", " + TEXT_ENCODER
                        + " or " + EMA + ")");
            }
        }
        if (unet.isEmpty() && autoencoder.isEmpty()) {
            throw new BadInputException(where + ": no " + UNET + " or " + AUTOENCODER + " keys: not a Stable Diffusion"
                    + " 1.x checkpoint");
        }
        if (ema) {
            if (averaged.isEmpty()) {
                throw new BadInputException(where + ": the checkpoint holds no EMA weights (" + EMA + "*): load it"
                        + " without EMA (an \"emaonly\" file already has them as its UNet weights)");
            }
            Map<String, T> fromEma = new LinkedHashMap<>();
            for (String name : unet.keySet()) {
                T v = averaged.get(name.replace(".", ""));
                if (v == null) {
                    throw new BadInputException(where + ": no EMA copy of " + UNET + name + " (expected "
                            + EMA + name.replace(".", "") + ")");
                }
                fromEma.put(name, v);
            }
            unet = fromEma;
        } else {
            averaged.keySet().forEach(k -> ignored.add(EMA + k));
        }
        return new Parts<>(unet, autoencoder, text, ignored);
    }

    /** Reads a {@code .safetensors} checkpoint, loading only the tensors of its parts, as float32. */
    public static Parts<INDArray> read(Path path, boolean ema) {
        String name = path.getFileName().toString();
        if (name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth")) {
            throw new BadInputException(path + ": pickled checkpoints run code when read and are not loaded here;"
                    + " convert it to .safetensors first (e.g. with safetensors' convert script)");
        }
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Map<String, String> names = new LinkedHashMap<>();
            file.names().forEach(n -> names.put(n, n));
            Parts<String> keys = split(names, ema, path.toString());
            Function<Map<String, String>, Map<String, INDArray>> load = part -> {
                Map<String, INDArray> out = new LinkedHashMap<>();
                part.forEach((k, full) -> out.put(k, file.load(full).castTo(DataType.FLOAT)));
                return out;
            };
            return new Parts<>(load.apply(keys.unet()), load.apply(keys.autoencoder()), load.apply(keys.textEncoder()),
                    keys.ignored());
        }
    }

    /**
     * Checks the UNet's and the autoencoder's entries against the models the configs build (names and shapes, one
     * line naming the first missing, unexpected or misshapen tensor), without allocating the models.
     */
    public static void check(Parts<long[]> shapes, UNetConfig unet, AutoencoderConfig autoencoder) {
        Graph u = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        new UNet(unet).apply(u, u.input("x", -1, unet.inChannels(), 64, 64), u.input("t", DataType.LONG, -1),
                u.input("context", -1, 77, unet.contextDim()));
        Graph.checkState(u.shapes(), shapes.unet(), true);
        Graph a = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        KlAutoencoder ae = new KlAutoencoder(autoencoder);
        int r = autoencoder.resolution();
        ae.decode(a, KlAutoencoder.posterior(a, ae.encode(a, a.input("image", -1, autoencoder.inChannels(), r, r)))
                .mean());
        Graph.checkState(a.shapes(), shapes.autoencoder(), true);
    }

    /**
     * {@link #check(Parts, UNetConfig, AutoencoderConfig)}, and the text encoder's entries against the text tower
     * of {@code text} without its projection (SD 1.x: {@link ClipConfig#VIT_L_14}).
     */
    public static void check(Parts<long[]> shapes, UNetConfig unet, AutoencoderConfig autoencoder, ClipConfig text) {
        check(shapes, unet, autoencoder);
        Graph.checkState(ClipModel.textShapes(text, false), shapes.textEncoder(), true);
    }

    /** The shapes of a tensor part (for {@link #check}). */
    public static Parts<long[]> shapes(Parts<INDArray> tensors) {
        Function<Map<String, INDArray>, Map<String, long[]>> s = m -> {
            Map<String, long[]> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, v.shape()));
            return out;
        };
        return new Parts<>(s.apply(tensors.unet()), s.apply(tensors.autoencoder()), s.apply(tensors.textEncoder()),
                tensors.ignored());
    }
}
