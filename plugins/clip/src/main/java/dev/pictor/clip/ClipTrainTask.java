package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.clip.train.ClipTraining;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.fashion.FashionMnist;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DSL verb {@code trainClip}: learns a BPE vocabulary from the data's captions, then trains a small CLIP
 * contrastively and writes it as a model folder (weights, config.json, bpe.txt). The data is {@code shapes} (the
 * Shapes world without its held-out colour–shape pairs, training noise σ = 3) or {@code fashion} (Fashion-MNIST's
 * training split with captions). With {@code checkpoint}, a stopped run continues where it stopped. For the Shapes
 * world, {@code placeGroups} (0 to 1, default 0) is the share of four-picture groups that show one object at four
 * places, so the model must learn where things are, and {@code relationGroups} (default 0; the two shares at most 1
 * together) the share that show the same two objects in the four relations, so it must read relation words and word
 * order ({@link PairSource#shapes(ShapesWorld, double, double)}).
 *
 * <pre>{@code
 * trainClip data: 'shapes', steps: 3000, batch: 128, into: 'zoo/shapes-clip', checkpoint: 'target/shapes-clip.ckpt'
 * }</pre>
 */
public final class ClipTrainTask implements Task {
    @Override
    public String description() {
        return "train a small CLIP (ViT image tower) contrastively on the Shapes world or Fashion-MNIST";
    }

    @Override
    public List<String> options() {
        return List.of("data", "steps", "batch", "lr", "warmup", "weightDecay", "seed", "vocab", "context", "patch",
                "width", "layers", "heads", "textWidth", "textLayers", "embed", "into", "checkpoint",
                "checkpointEvery", "report", "placeGroups", "relationGroups");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        String data = options.string("data", "shapes");
        long seed = options.longInteger("seed", 1);
        PairSource source = switch (data) {
            case "shapes" -> PairSource.shapes(new ShapesWorld(seed, ShapesWorld.HELD_OUT, 3.0), options);
            case "fashion" -> PairSource.fashion(FashionMnist.load(FashionMnist.Split.TRAIN), seed);
            default -> throw new BadInputException(options.where("data") + " must be 'shapes' or 'fashion', not '"
                    + data + "'");
        };
        Path into = options.path("into", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "trainClip needs into: the folder to write the model to"));
        int context_ = options.integer("context", 32);
        ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMerges(
                BpeTrainer.train(source.corpus(20_000), options.integer("vocab", 1024)), context_);
        int heads = options.integer("heads", 4);
        ClipConfig config = ClipTraining.smallConfig(tokenizer.vocabularySize(), context_, source.side(),
                options.integer("patch", 4), options.integer("width", 128), options.integer("layers", 4), heads,
                options.integer("textWidth", 128), options.integer("textLayers", 3), options.integer("embed", 128));
        long steps = options.longInteger("steps", 2000);
        int batch = options.integer("batch", 128);
        ClipTraining.Settings settings = new ClipTraining.Settings(steps, batch, options.real("lr", 1e-3),
                options.longInteger("warmup", Math.min(200, steps / 10)), options.real("weightDecay", 0.0), seed,
                options.path("checkpoint", context.baseDirectory()).orElse(null),
                options.longInteger("checkpointEvery", 100));
        ClipTraining training = new ClipTraining(config, tokenizer, source, settings);
        long report = options.longInteger("report", Math.max(1, steps / 20));
        long start = System.nanoTime();
        context.out().printf("trainClip %s: %d ids, %s%n", data, tokenizer.vocabularySize(), config.toJson()
                .replaceAll("\\s+", " "));
        var result = training.run((step, total, loss, lr, norm) -> {
            context.progress().onProgress("training CLIP", step + 1, total);
            if ((step + 1) % report == 0 || step + 1 == total) {
                context.out().printf("step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f s%n", step + 1, total, loss, lr,
                        norm, (System.nanoTime() - start) / 1e9);
            }
        }, context.cancellation());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("recipe", "trainClip data: " + data);
        meta.put("steps", Long.toString(steps));
        meta.put("batch", Integer.toString(batch));
        meta.put("seed", Long.toString(seed));
        if (!result.cancelled()) {
            training.save(into, meta);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", result.stepsDone());
        out.put("loss", result.lastLoss());
        out.put("seconds", seconds);
        out.put("cancelled", result.cancelled());
        return out;
    }

}
