package dev.pictor.ldm;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipWeights;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.ldm.train.AutoencoderTraining;
import dev.pictor.ldm.train.PerceptualLoss;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DSL verb {@code trainAutoencoder}: trains latent diffusion's first stage ({@link AutoencoderTraining}) on the
 * Shapes world (RGB, its held-out pairs never shown) or Fashion-MNIST (one channel, padded to 32 pixels), then
 * measures PSNR on images it never saw (Shapes scenes of another seed; Fashion-MNIST's test split) and the latents'
 * std, and writes a model folder whose config carries the scale factor 1/std. The perceptual distance comes from a
 * CLIP model folder given as {@code perceptual} (the zoo's shapes-clip or fashion-clip); without one the
 * reconstruction loss is L1 alone. With {@code checkpoint}, a stopped run continues where it stopped.
 *
 * <pre>{@code
 * trainAutoencoder data: 'shapes', steps: 1800, discStart: 1500, ch: 32, chMult: [1, 2, 2], z: 4,
 *     perceptual: 'zoo/src/main/resources/pictor/zoo/shapes-clip', into: 'target/shapes-ae'
 * }</pre>
 */
public final class AutoencoderTrainTask implements Task {
    @Override
    public String description() {
        return "train latent diffusion's KL autoencoder (L1 + perceptual + KL + PatchGAN) on the Shapes world or"
                + " Fashion-MNIST";
    }

    @Override
    public List<String> options() {
        return List.of("data", "steps", "batch", "lr", "seed", "ch", "chMult", "resBlocks", "z", "perceptual",
                "perceptualWeight", "klWeight", "discWeight", "discStart", "discWidth", "discLayers", "into",
                "checkpoint", "checkpointEvery", "report", "evaluate");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        String data = options.string("data", "shapes");
        long seed = options.longInteger("seed", 1);
        ImageSource.Split split = ImageSource.of(options, seed);
        ImageSource images = split.train();
        ImageSource held = split.held();
        Path into = options.path("into", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "trainAutoencoder needs into: the folder to write the model to"));
        List<Integer> mult = options.strings("chMult").map(l -> l.stream().map(Integer::parseInt).toList())
                .orElse(List.of(1, 2, 2));
        int z = options.integer("z", 4);
        AutoencoderConfig config = new AutoencoderConfig(options.integer("ch", 32), mult,
                options.integer("resBlocks", 1), List.of(), images.side(), images.channels(), images.channels(), z, z,
                1.0);
        long steps = options.longInteger("steps", 2000);
        var settings = new AutoencoderTraining.Settings(steps, options.integer("batch", 32), options.real("lr", 2e-4),
                options.real("perceptualWeight", 1.0), options.real("klWeight", 1e-6), options.real("discWeight", 0.5),
                options.longInteger("discStart", steps * 3 / 4), options.integer("discWidth", 32),
                options.integer("discLayers", 2), seed);
        PerceptualLoss perceptual = options.path("perceptual", context.baseDirectory()).map(dir -> {
            ClipConfig clip = ClipConfig.read(dir.resolve("config.json"));
            return new PerceptualLoss(clip, ClipWeights.load(clip, dir.resolve("model.safetensors")).tensors());
        }).orElse(null);
        AutoencoderTraining training = new AutoencoderTraining(config, images, perceptual, settings);
        Path checkpoint = options.path("checkpoint", context.baseDirectory()).orElse(null);
        long from = training.resumeIfPresent(checkpoint);
        long report = options.longInteger("report", AutoencoderTraining.MEASURE_EVERY * 4L);
        if (report % AutoencoderTraining.MEASURE_EVERY != 0) {
            throw new BadInputException(options.where("report") + " must be a multiple of "
                    + AutoencoderTraining.MEASURE_EVERY + " (the steps at which the loss's parts are measured)");
        }
        context.out().printf("trainAutoencoder %s: %s, from step %d%n", data, config.toJson().toString(), from);
        long start = System.nanoTime();
        long done = training.run(checkpoint, options.longInteger("checkpointEvery", 100), m -> {
            context.progress().onProgress("training the autoencoder", m.step() + 1, m.steps());
            // the loss parts are measured every MEASURE_EVERY steps: report on those
            if (!Double.isNaN(m.l1()) && (m.step() % report == 0 || m.step() + 1 == m.steps())) {
                context.out().printf("step %d/%d  loss %.1f  L1 %.4f  perceptual %.4f  KL %.1f  G %.3f  D %.3f  λ %.1f"
                        + "  %.0f s%n", m.step() + 1, m.steps(), m.loss(), m.l1(), m.perceptual(), m.kl(),
                        m.generator(), m.discriminator(), m.adaptiveWeight(), m.seconds());
            }
        }, context.cancellation());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", done);
        out.put("seconds", seconds);
        out.put("cancelled", done < steps);
        if (done >= steps) {
            AutoencoderTraining.Evaluation e = training.evaluate(held, options.integer("evaluate", 512));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("recipe", "trainAutoencoder data: " + data);
            meta.put("steps", Long.toString(steps));
            meta.put("seed", Long.toString(seed));
            meta.put("psnr", String.format(java.util.Locale.ROOT, "%.2f", e.psnr()));
            // this run's own time: a resumed run counts from where it resumed
            meta.put("seconds", String.format(java.util.Locale.ROOT, "%.0f", seconds));
            training.save(into, 1 / e.latentStd(), meta);
            context.out().printf("PSNR %.2f dB on %d held-out images; latent std %.4f (scale factor %.4f)%n",
                    e.psnr(), e.images(), e.latentStd(), 1 / e.latentStd());
            out.put("psnr", e.psnr());
            out.put("scaleFactor", 1 / e.latentStd());
        }
        return out;
    }
}
