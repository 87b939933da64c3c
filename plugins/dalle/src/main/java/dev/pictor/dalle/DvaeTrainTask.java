package dev.pictor.dalle;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.dalle.train.DvaeTraining;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DSL verb {@code trainDvae}: trains DALL·E's discrete VAE ({@link DvaeTraining}) on the Shapes world (RGB, its
 * held-out pairs never shown) or Fashion-MNIST (one channel, padded to 32 pixels), reports the codebook's use as it
 * goes, then measures PSNR through the codes on images it never saw (Shapes scenes of another seed; Fashion-MNIST's
 * test split) and writes a model folder (model.safetensors in upstream's names, config.json). With
 * {@code checkpoint}, a stopped run continues exactly where it stopped. The paper's recipe is the default; the
 * options that depart from it, for data it did not face: {@code hard} (straight-through Gumbel-softmax),
 * {@code noise} (the Gumbel noise's scale), {@code reconstruction: 'gaussian'}, {@code diversity} (wav2vec 2.0's
 * codebook penalty), {@code restartEvery} (dead-code restarts) and {@code argmaxWeight} (the decoder trained on the
 * argmax codes too). {@code evaluateEvery} prints PSNR through the
 * codes on 64 held-out images as it goes.
 *
 * <pre>{@code
 * trainDvae data: 'shapes', steps: 3000, groups: 3, hid: 64, vocab: 512, klWeight: 1, into: 'target/shapes-dvae'
 * }</pre>
 */
public final class DvaeTrainTask implements Task {
    @Override
    public String description() {
        return "train DALL·E's discrete VAE (Gumbel-softmax, logit-Laplace + β·KL) on the Shapes world or"
                + " Fashion-MNIST";
    }

    @Override
    public List<String> options() {
        return List.of("data", "steps", "batch", "lr", "warmup", "seed", "groups", "hid", "blocks", "vocab", "init",
                "klWeight", "klWarmup", "tauStart", "tauEnd", "tauAnneal", "hard", "diversity", "noise",
                "reconstruction", "restartEvery", "argmaxWeight", "evaluateEvery", "into", "checkpoint", "checkpointEvery",
                "report", "evaluate");
    }

    private static DvaeTraining.Reconstruction reconstruction(TaskOptions options) {
        String r = options.string("reconstruction", "logit-laplace");
        return switch (r) {
            case "logit-laplace" -> DvaeTraining.Reconstruction.LOGIT_LAPLACE;
            case "gaussian" -> DvaeTraining.Reconstruction.GAUSSIAN;
            default -> throw new BadInputException(options.where("reconstruction") + " must be 'logit-laplace' (the"
                    + " paper's) or 'gaussian', not '" + r + "'");
        };
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        String data = options.string("data", "shapes");
        long seed = options.longInteger("seed", 1);
        ImageSource.Split split = ImageSource.of(options, seed);
        ImageSource images = split.train();
        ImageSource held = split.held();
        Path into = options.path("into", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "trainDvae needs into: the folder to write the model to"));
        int hid = options.integer("hid", 64);
        DvaeConfig config = new DvaeConfig(options.integer("groups", 3), hid, options.integer("blocks", 1),
                images.channels(), options.integer("vocab", 512), options.integer("init", hid), images.side());
        long steps = options.longInteger("steps", 3000);
        var settings = new DvaeTraining.Settings(steps, options.integer("batch", 32), options.real("lr", 1e-3),
                options.longInteger("warmup", Math.min(100, steps / 10)), options.real("klWeight", 1.0),
                options.longInteger("klWarmup", steps / 10), options.real("tauStart", 1.0),
                options.real("tauEnd", 1.0 / 16), options.longInteger("tauAnneal", steps),
                options.bool("hard", false), options.real("diversity", 0),
                options.real("noise", 1), reconstruction(options),
                options.longInteger("restartEvery", 0), options.real("argmaxWeight", 0), seed,
                options.path("checkpoint", context.baseDirectory()).orElse(null),
                options.longInteger("checkpointEvery", 100));
        DvaeTraining training = new DvaeTraining(config, images, settings);
        long report = options.longInteger("report", Math.max(1, steps / 20));
        context.out().printf("trainDvae %s: %s%n", data, config.toJson().toString());
        long start = System.nanoTime();
        // PSNR through the codes while training (64 held-out images): what the transformer will see, which the
        // relaxed loss does not show
        long evaluateEvery = options.longInteger("evaluateEvery", 0);
        var result = training.run((step, total, loss, lr, norm) -> {
            context.progress().onProgress("training the dVAE", step + 1, total);
            if (step % report == 0 || step + 1 == total) {
                context.out().printf("step %d/%d  loss %.1f  τ %.3f  β %.3f  lr %.2e  |g| %.3f  %.0f s%n", step + 1,
                        total, loss, settings.tau(step), settings.beta(step), lr, norm,
                        (System.nanoTime() - start) / 1e9);
            }
            if (evaluateEvery > 0 && (step + 1) % evaluateEvery == 0 && step + 1 < total) {
                context.out().printf("step %d: %s%n", step + 1, training.evaluate(held, 64));
            }
        }, usage -> context.out().println(usage), context.cancellation());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", result.stepsDone());
        out.put("seconds", seconds);
        out.put("loss", result.lastLoss());
        out.put("cancelled", result.cancelled());
        if (!result.cancelled()) {
            DvaeTraining.Evaluation e = training.evaluate(held, options.integer("evaluate", 512));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("recipe", "trainDvae data: " + data);
            meta.put("steps", Long.toString(steps));
            meta.put("seed", Long.toString(seed));
            meta.put("psnr", String.format(Locale.ROOT, "%.2f", e.psnr()));
            meta.put("seconds", String.format(Locale.ROOT, "%.0f", seconds));
            training.save(into, meta);
            context.out().println(e + ", held-out " + data);
            out.put("psnr", e.psnr());
            out.put("perplexity", e.perplexity());
        }
        return out;
    }
}
