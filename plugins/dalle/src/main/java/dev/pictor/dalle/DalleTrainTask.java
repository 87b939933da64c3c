package dev.pictor.dalle;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.BpeTrainer;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.train.PairSource;
import dev.pictor.dalle.train.DalleTraining;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.train.TrainingRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * DSL verb {@code trainDalle}: trains DALL·E's transformer ({@link DalleTraining}) on Shapes-world captions and the
 * codes a trained dVAE ({@code dvae}: its folder) gives their pictures — the held-out colour–shape pairs never
 * shown. The text is BPE from a merges file ({@code bpe}; e.g. the CLIP that reranks, so one tokenizer serves both),
 * or merges learned here from the captions ({@code vocab}), tokenised to {@code context} positions. Writes the model
 * folder: model.safetensors, config.json and the bpe.txt it read. {@code relationGroups} / {@code placeGroups} put
 * that share of pictures in groups of the same two objects in four relations / one object at four places
 * ({@link PairSource#shapes(ShapesWorld, TaskOptions)}). With {@code checkpoint}, a stopped run continues exactly.
 *
 * <pre>{@code
 * trainDalle dvae: 'zoo/shapes-dalle/dvae', bpe: 'zoo/shapes-ldm/text/bpe.txt', context: 16, steps: 4000,
 *     width: 256, layers: 4, heads: 8, into: 'zoo/shapes-dalle/transformer'
 * }</pre>
 */
public final class DalleTrainTask implements Task {
    @Override
    public String description() {
        return "train DALL·E's text-and-image-token transformer on the Shapes world, over a trained dVAE's codes";
    }

    @Override
    public List<String> options() {
        return List.of("data", "dvae", "bpe", "vocab", "context", "steps", "batch", "lr", "warmup", "textWeight",
                "dropText", "ema", "seed", "width", "layers", "heads", "into", "checkpoint", "checkpointEvery",
                "report", "placeGroups", "relationGroups");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        String data = options.string("data", "shapes");
        if (!data.equals("shapes")) {
            throw new BadInputException(options.where("data") + " must be 'shapes' (captions of Shapes-world"
                    + " scenes), not '" + data + "'");
        }
        long seed = options.longInteger("seed", 1);
        Path base = context.baseDirectory();
        Path dvaeDir = options.path("dvae", base).orElseThrow(() -> new BadInputException(
                "trainDalle needs dvae: the trained dVAE's folder (trainDvae's into)"));
        Path into = options.path("into", base).orElseThrow(() -> new BadInputException(
                "trainDalle needs into: the folder to write the transformer to"));
        DvaeQuantizer dvae = new DvaeQuantizer(DvaeConfig.read(dvaeDir.resolve("config.json")),
                Safetensors.read(dvaeDir.resolve("model.safetensors")));
        PairSource pairs = PairSource.shapes(new ShapesWorld(seed, ShapesWorld.HELD_OUT), options);
        int n = options.integer("context", 16);
        ClipBpeTokenizer tokenizer = options.path("bpe", base).map(p -> ClipBpeTokenizer.fromMergesFile(p, n))
                .orElseGet(() -> ClipBpeTokenizer.fromMerges(BpeTrainer.train(pairs.corpus(20_000),
                        options.integer("vocab", 1024)), n));
        int longest = 0;
        for (String caption : pairs.corpus(5_000)) {
            longest = Math.max(longest, tokenizer.bpe(caption).length + 2);
        }
        if (longest > n) {
            context.out().printf("warning: captions of up to %d tokens are cut to context %d%n", longest, n);
        }
        int width = options.integer("width", 256);
        DalleConfig config = new DalleConfig(tokenizer.vocabularySize(), n, dvae.codebookSize(),
                dvae.config().codeSize(), width, options.integer("layers", 4), options.integer("heads", 8));
        long steps = options.longInteger("steps", 4000);
        var settings = new DalleTraining.Settings(steps, options.integer("batch", 64), options.real("lr", 1e-3),
                options.longInteger("warmup", Math.min(200, steps / 10)), options.real("textWeight", 1.0 / 8),
                options.real("dropText", 0.1), options.real("ema", 0.999), seed,
                options.path("checkpoint", base).orElse(null), options.longInteger("checkpointEvery", 100));
        DalleTraining training = new DalleTraining(config, dvae, tokenizer, pairs, settings);
        long report = options.longInteger("report", Math.max(1, steps / 40));
        context.out().printf("trainDalle %s: %s; captions of up to %d tokens%n", data, config.toJson().toString(),
                longest);
        TrainingRun run = TrainingRun.start(context, "training the transformer", report);
        var result = training.run(run.listener(), context.cancellation());
        Map<String, Object> out = run.result(result);
        if (!result.cancelled()) {
            training.save(into, run.metadata("trainDalle data: " + data, steps, seed));
            tokenizer.writeMerges(into.resolve("bpe.txt"));
        }
        return out;
    }
}
