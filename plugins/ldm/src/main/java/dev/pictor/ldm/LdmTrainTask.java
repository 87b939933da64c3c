package dev.pictor.ldm;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipTextEncoder;
import dev.pictor.clip.ClipWeights;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.fashion.FashionMnist;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.ldm.train.LatentDiffusionTraining;
import dev.pictor.nn.train.TrainingRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * DSL verb {@code trainLdm}: trains a text-conditioned latent-diffusion UNet ({@link LatentDiffusionTraining}) on the
 * Shapes world (captions and prompts of its scenes; the held-out pairs never shown) or Fashion-MNIST (class captions
 * in templates), in the latent space of a trained autoencoder folder ({@code autoencoder}), conditioned on a CLIP
 * model folder's text tower ({@code text}: config.json, model.safetensors, bpe.txt), and writes the UNet's folder.
 * {@code coordinates: true} appends {@link CoordinateChannels} to the latents (the UNet's x and y);
 * {@code prediction: 'v'} and {@code schedule: 'cosine'} train a v-predicting UNet on the cosine schedule (the
 * defaults: ε and Stable Diffusion's scaled-linear schedule). For the Shapes world, {@code relationGroups} and
 * {@code placeGroups} (0 to 1, default 0) put that share of the pictures in groups of four — the same two objects in
 * the four relations, one object at four places ({@link PairSource#shapes(ShapesWorld, double, double)}) — in place
 * of the world's own scenes, half of which show one object: more two-object pictures, each with one relation true.
 *
 * <pre>{@code
 * trainLdm data: 'shapes', autoencoder: 'zoo/shapes-ldm/autoencoder', text: 'zoo/shapes-clip', steps: 6000,
 *     modelChannels: 64, channelMult: [1, 2], attention: [1, 2], into: 'zoo/shapes-ldm/unet'
 * }</pre>
 */
public final class LdmTrainTask implements Task {
    @Override
    public String description() {
        return "train a text-conditioned latent-diffusion UNet on the Shapes world or Fashion-MNIST";
    }

    @Override
    public List<String> options() {
        return List.of("data", "autoencoder", "text", "steps", "batch", "lr", "warmup", "dropout", "ema", "seed",
                "modelChannels", "channelMult", "resBlocks", "attention", "headChannels", "depth", "coordinates",
                "prediction", "schedule", "timestepPower", "scaleShift", "pooled", "into", "checkpoint",
                "checkpointEvery", "report", "placeGroups", "relationGroups");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        String data = options.string("data", "shapes");
        long seed = options.longInteger("seed", 1);
        Path aeDir = options.path("autoencoder", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "trainLdm needs autoencoder: the trained autoencoder's folder (trainAutoencoder's into)"));
        Path textDir = options.path("text", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "trainLdm needs text: a CLIP model folder whose text tower conditions the UNet"));
        Path into = options.path("into", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "trainLdm needs into: the folder to write the UNet to"));
        KlAutoencoderQuantizer vae = new KlAutoencoderQuantizer(AutoencoderConfig.read(aeDir.resolve("config.json")),
                Safetensors.read(aeDir.resolve("model.safetensors")));
        ClipConfig clip = ClipConfig.read(textDir.resolve("config.json"));
        ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMergesFile(textDir.resolve("bpe.txt"),
                clip.text().contextLength());
        ClipTextEncoder text = new ClipTextEncoder(clip, ClipWeights.load(clip, textDir.resolve("model.safetensors"))
                .tensors());
        PairSource pairs;
        LatentDiffusionTraining.ImageAdapter adapter;
        switch (data) {
            case "shapes" -> {
                pairs = PairSource.shapes(new ShapesWorld(seed, ShapesWorld.HELD_OUT), options);
                adapter = LatentDiffusionTraining.ImageAdapter.identity();
            }
            case "fashion" -> {
                pairs = PairSource.fashion(FashionMnist.load(FashionMnist.Split.TRAIN), seed);
                adapter = LatentDiffusionTraining.ImageAdapter.greyPadded(FashionMnist.SIDE,
                        vae.config().resolution());
            }
            default -> throw new BadInputException(options.where("data") + " must be 'shapes' or 'fashion', not '"
                    + data + "'");
        }
        List<Integer> mult = ints(options, "channelMult", List.of(1, 2));
        int coordinates = options.bool("coordinates", false) ? CoordinateChannels.COUNT : 0;
        UNetConfig unet = new UNetConfig(vae.latentChannels() + coordinates, vae.latentChannels(),
                options.integer("modelChannels", 64), options.integer("resBlocks", 1), ints(options, "attention",
                List.of(1, 2)), mult, -1, options.integer("headChannels", 32), options.integer("depth", 1),
                (int) text.dimension(dev.pictor.api.spi.Encoder.Output.TOKENS), options.bool("scaleShift", false),
                options.bool("pooled", false) ? (int) text.dimension(dev.pictor.api.spi.Encoder.Output.POOLED) : 0);
        long steps = options.longInteger("steps", 4000);
        var settings = new LatentDiffusionTraining.Settings(steps, options.integer("batch", 64),
                options.real("lr", 5e-4), options.longInteger("warmup", Math.min(200, steps / 10)),
                options.real("dropout", 0.1), options.real("ema", 0.999), seed,
                options.path("checkpoint", context.baseDirectory()).orElse(null),
                options.longInteger("checkpointEvery", 100), options.real("timestepPower", 1));
        var training = new LatentDiffusionTraining(unet, vae, tokenizer, text, pairs, adapter,
                schedule(options), prediction(options), settings);
        long report = options.longInteger("report", Math.max(1, steps / 40));
        context.out().printf("trainLdm %s: %s%n", data, unet.toJson().toString());
        TrainingRun run = TrainingRun.start(context, "training the UNet", report);
        var result = training.run(run.listener(), context.cancellation());
        Map<String, Object> out = run.result(result);
        if (!result.cancelled()) {
            training.save(into, run.metadata("trainLdm data: " + data, steps, seed));
        }
        return out;
    }

    /** {@code schedule}: Stable Diffusion's scaled-linear β (the default), DDPM's linear one, or the cosine one. */
    private static NoiseSchedule schedule(TaskOptions options) {
        NoiseSchedule.Beta beta;
        try {
            beta = NoiseSchedule.Beta.parse(options.string("schedule", "scaled-linear"));
        } catch (BadInputException e) {
            throw new BadInputException(options.where("schedule") + ": " + e.getMessage());
        }
        return switch (beta) {
            case SCALED_LINEAR -> NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);
            case LINEAR -> NoiseSchedule.linear(1e-4, 0.02, 1000);
            case COSINE -> NoiseSchedule.cosine(1000);
        };
    }

    /** {@code prediction}: what the UNet learns, {@code eps} (the default) or {@code v}. */
    private static Prediction prediction(TaskOptions options) {
        String p = options.string("prediction", "eps");
        return switch (p) {
            case "eps" -> Prediction.EPSILON;
            case "v" -> Prediction.V;
            default -> throw new BadInputException(options.where("prediction") + " must be 'eps' or 'v', not '" + p
                    + "'");
        };
    }

    private static List<Integer> ints(TaskOptions options, String key, List<Integer> fallback) {
        return options.strings(key).map(l -> l.stream().map(Integer::parseInt).toList()).orElse(fallback);
    }
}
