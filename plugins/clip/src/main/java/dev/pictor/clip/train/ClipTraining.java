package dev.pictor.clip.train;

import dev.pictor.api.io.AtomicFiles;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipModel;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import dev.pictor.nn.train.TrainingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Contrastive training of a {@link ClipModel} on image–caption pairs with the project's {@link Trainer}: the
 * symmetric cross-entropy over the batch's similarities, a learnable temperature clamped at 100 as upstream, AdamW
 * with warm-up and cosine decay, checkpoints for exact resume. {@link #save} writes the model as it travels: the
 * weights (safetensors), {@code config.json} and the BPE merges ({@code bpe.txt}).
 *
 * <pre>{@code
 * var training = new ClipTraining(config, tokenizer, PairSource.shapes(world), settings);
 * training.run(listener, Cancellation.NONE);
 * training.save(Path.of("zoo/shapes-clip"), Map.of("steps", "3000"));
 * }</pre>
 */
public final class ClipTraining {
    /** The largest temperature, {@code ln 100}, as upstream clamps it. */
    public static final double MAX_LOG_SCALE = Math.log(100);

    /**
     * @param steps           optimiser steps
     * @param batch           pairs a step (every other pair in the batch is a negative)
     * @param learningRate    peak rate
     * @param warmup          linear warm-up steps
     * @param weightDecay     AdamW decay
     * @param seed            initial weights and data order
     * @param checkpoint      where to checkpoint (null for none)
     * @param checkpointEvery steps between checkpoints
     */
    public record Settings(long steps, int batch, double learningRate, long warmup, double weightDecay, long seed,
            Path checkpoint, long checkpointEvery) {
    }

    private final ClipConfig config;
    private final ClipBpeTokenizer tokenizer;
    private final ClipModel model;
    private final ContrastiveBatches batches;
    private final Settings settings;
    private final org.nd4j.autodiff.samediff.SDVariable loss;

    public ClipTraining(ClipConfig config, ClipBpeTokenizer tokenizer, PairSource source, Settings settings) {
        if (tokenizer.vocabularySize() != config.text().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabularySize() + " ids, the model "
                    + config.text().vocabSize());
        }
        if (source.side() != config.vision().imageSize()) {
            throw new IllegalArgumentException("the data's images are " + source.side() + " pixels, the model's "
                    + config.vision().imageSize());
        }
        this.config = config;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.model = new ClipModel(config, new Graph(DataType.FLOAT, settings.seed(), Graph.Mode.TRAIN));
        this.loss = model.contrastiveLoss();
        this.batches = new ContrastiveBatches(source, tokenizer, settings.batch(), settings.seed());
    }

    public ClipModel model() {
        return model;
    }

    /** The contrastive loss the training minimises (for profiling a step). */
    public org.nd4j.autodiff.samediff.SDVariable loss() {
        return loss;
    }

    public ContrastiveBatches batches() {
        return batches;
    }

    /** Trains from the checkpoint (if any) to {@code settings.steps}. */
    public Trainer.Result run(TrainingListener listener, Cancellation cancellation) {
        Trainer.Config.Builder b = Trainer.Config.builder(settings.steps())
                .learningRate(LearningRateSchedule.warmupCosine(settings.learningRate(),
                        Math.min(settings.warmup(), settings.steps() - 1), settings.steps(), settings.learningRate() / 20))
                .adam(0.9, 0.98, 1e-6, settings.weightDecay()).clipNorm(1.0).gcEvery(10);
        if (settings.checkpoint() != null) {
            b.checkpoint(settings.checkpoint(), settings.checkpointEvery());
        }
        INDArray logScale = model.graph().params().get("logit_scale").getArr();
        Trainer trainer = new Trainer(model.graph(), loss, batches, b.build()).cancellation(cancellation)
                .listener((step, total, value, lr, norm) -> {
                    // upstream clamps the temperature after every step
                    if (logScale.getDouble(0) > MAX_LOG_SCALE) {
                        logScale.assign(MAX_LOG_SCALE);
                    }
                    listener.onStep(step, total, value, lr, norm);
                });
        return trainer.resumeIfPresent().run();
    }

    /** Writes {@code dir/model.safetensors}, {@code dir/config.json} and {@code dir/bpe.txt}, each atomically. */
    public void save(Path dir, Map<String, String> metadata) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new dev.pictor.api.BadInputException("cannot create " + dir + ": " + e.getMessage());
        }
        Map<String, INDArray> weights = new LinkedHashMap<>(model.graph().state());
        Safetensors.write(dir.resolve("model.safetensors"), weights, metadata);
        byte[] json = config.toJson().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve("config.json"), out -> out.write(json));
        tokenizer.writeMerges(dir.resolve("bpe.txt"));
    }

    /** The loss on the batches of steps {@code from … from+count-1} (held-out steps: beyond the run). */
    public double evaluate(long from, int count) {
        double sum = 0;
        for (long s = from; s < from + count; s++) {
            sum += model.graph().output(batches.batch(s), loss).getDouble(0);
        }
        return sum / count;
    }

    /** A config for the zoo's small models. */
    public static ClipConfig smallConfig(int vocab, int context, int side, int patch, int width, int layers,
            int heads, int textWidth, int textLayers, int embed) {
        return new ClipConfig(embed, new ClipConfig.TextTower(vocab, context, textWidth, heads, textLayers, 4 * textWidth),
                new ClipConfig.VisionTransformer(side, patch, width, heads, layers, 4 * width),
                dev.pictor.nn.layers.Activation.QUICK_GELU, 1e-5);
    }
}
