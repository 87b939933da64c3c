package dev.pictor.dalle.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.train.PairSource;
import dev.pictor.dalle.DalleConfig;
import dev.pictor.dalle.DalleTransformer;
import dev.pictor.dalle.DvaeQuantizer;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Batches;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import dev.pictor.nn.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains the DALL·E transformer on caption–image pairs: each caption tokenised to N positions (padding tokens of
 * their own), each image encoded by the frozen dVAE to its argmax codes, and the sequence learned left to right —
 * cross-entropy at every position, weighted so that the text positions carry {@code textWeight} of the loss and the
 * image positions the rest (the paper: 1/8 and 7/8), each part the mean over its positions.
 *
 * <pre>{@code
 * var t = new DalleTraining(config, dvae, tokenizer, pairs, settings);
 * t.run(listener, Cancellation.never());
 * t.save(Path.of("zoo/shapes-dalle/transformer"), Map.of());
 * }</pre>
 */
public final class DalleTraining {
    public static final String TEXT = "text";
    public static final String IMAGE = "image";
    public static final String TARGETS = "targets";

    /**
     * @param textWeight the text positions' share of the loss (the paper's 1/8)
     * @param dropText   the share of captions replaced by the empty text, so that the model also learns pictures
     *                   without a prompt: the unconditional branch of classifier-free guidance (0 for none)
     */
    public record Settings(long steps, int batch, double learningRate, long warmup, double textWeight,
            double dropText, double emaDecay, long seed, Path checkpoint, long checkpointEvery) {
        public Settings {
            if (steps <= 0 || batch <= 0 || !(learningRate > 0) || warmup < 0 || warmup >= steps
                    || !(textWeight >= 0 && textWeight <= 1) || !(dropText >= 0 && dropText < 1)
                    || !(emaDecay >= 0 && emaDecay < 1)) {
                throw new BadInputException("DALL·E training: steps, batch and learning rate must be positive, warm-up"
                        + " shorter than the run, the text weight in [0, 1], the dropped share of captions and the"
                        + " EMA decay in [0, 1) (got " + this + ")");
            }
        }
    }

    private final DalleConfig config;
    private final DalleTransformer transformer;
    private final DvaeQuantizer dvae;
    private final Tokenizer tokenizer;
    private final PairSource pairs;
    private final Settings settings;
    private final Graph graph;
    private final SDVariable loss;
    private Trainer trainer;

    public DalleTraining(DalleConfig config, DvaeQuantizer dvae, Tokenizer tokenizer, PairSource pairs,
            Settings settings) {
        if (dvae.codebookSize() != config.imageVocab() || dvae.config().codeSize() != config.imageSize()) {
            throw new BadInputException("the dVAE gives " + dvae.config().codeSize() + "² codes of "
                    + dvae.codebookSize() + "; the transformer reads " + config.imageSize() + "² of "
                    + config.imageVocab());
        }
        if (tokenizer.vocabularySize() != config.textVocab()) {
            throw new BadInputException("the tokenizer has " + tokenizer.vocabularySize() + " ids; the transformer"
                    + " reads " + config.textVocab());
        }
        this.config = config;
        this.transformer = new DalleTransformer(config);
        this.dvae = dvae;
        this.tokenizer = tokenizer;
        this.pairs = pairs;
        this.settings = settings;
        graph = new Graph(DataType.FLOAT, settings.seed(), Graph.Mode.TRAIN);
        int n = config.textLength();
        int length = config.sequenceLength() - 1;
        SDVariable text = graph.input(TEXT, DataType.INT64, -1, n);
        SDVariable image = graph.input(IMAGE, DataType.INT64, -1, config.imageTokens() - 1);
        SDVariable targets = graph.input(TARGETS, DataType.INT64, -1, length);
        SDVariable logits = transformer.logits(graph, text, image);
        loss = weightedCrossEntropy(graph, logits, targets, positionWeights(config, settings.textWeight()),
                config.totalVocab());
    }

    /**
     * Each position's share of the loss: the {@code N − 1} positions that predict text tokens share
     * {@code textWeight} equally, the {@code s²} that predict codes (the last text position predicts the first code)
     * share the rest. {@code [N + s² − 1]}.
     */
    static float[] positionWeights(DalleConfig c, double textWeight) {
        int n = c.textLength();
        float[] w = new float[c.sequenceLength() - 1];
        for (int p = 0; p < w.length; p++) {
            w[p] = p < n - 1 ? (float) (textWeight / (n - 1)) : (float) ((1 - textWeight) / c.imageTokens());
        }
        return w;
    }

    /**
     * Σ over positions of weight × −log softmax(logits)[target], averaged over the batch; logits {@code [B, L,
     * vocab]}, targets {@code [B, L]} ids.
     */
    static SDVariable weightedCrossEntropy(Graph g, SDVariable logits, SDVariable targets, float[] weights,
            int vocab) {
        var sd = g.sameDiff();
        // ND4J's log_softmax is log(softmax): −∞ where a probability underflows (a logit trailing by ~100), and
        // −∞ × 0 in the one-hot product would be NaN. Floored at −10⁴ nats it stays finite (an underflowed target
        // costs 10⁴ and passes no gradient); the max-shifted log-softmax written out in graph ops (LogSoftmax) is
        // exact but cost 20% of a training step in its broadcasts' backward.
        SDVariable logProbs = sd.math().clipByValue(sd.nn().logSoftmax(logits), -1e4, 0);
        SDVariable oneHot = sd.oneHot(targets, vocab, -1, 1.0, 0.0, DataType.FLOAT);
        SDVariable nll = sd.sum(logProbs.mul(oneHot), 2).neg();                       // [B, L]
        SDVariable w = sd.constant(Nd4j.createFromArray(weights).reshape(1, weights.length));
        return sd.sum(nll.mul(w), 1).mean();
    }

    public Graph graph() {
        return graph;
    }

    /** The training loss (a scalar of the {@link #graph}). */
    public SDVariable loss() {
        return loss;
    }

    /** Step {@code step}'s pairs as the graph's inputs. */
    public Map<String, INDArray> inputs(long step) {
        int b = settings.batch();
        List<String> captions = new ArrayList<>(b);
        int side = pairs.side();
        java.util.SplittableRandom drop = new java.util.SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + step);
        float[] all = new float[b * 3 * side * side];
        for (int i = 0; i < b; i++) {
            PairSource.Pair p = pairs.pair(step * b + i);
            System.arraycopy(p.image(), 0, all, i * 3 * side * side, 3 * side * side);
            captions.add(drop.nextDouble() < settings.dropText() ? "" : p.caption());
        }
        long[][] text = transformer.textIds(tokenizer.encodeBatch(captions));
        long[][] codes = dvae.encode(Nd4j.create(all, new long[] {b, 3, side, side}, 'c')).reshape(b, -1)
                .toLongMatrix();
        int n = config.textLength();
        int m = config.imageTokens();
        long[][] image = new long[b][m - 1];
        long[][] targets = new long[b][n + m - 1];
        for (int i = 0; i < b; i++) {
            System.arraycopy(codes[i], 0, image[i], 0, m - 1);
            System.arraycopy(text[i], 1, targets[i], 0, n - 1);
            for (int j = 0; j < m; j++) {
                targets[i][n - 1 + j] = config.imageOffset() + codes[i][j];
            }
        }
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put(TEXT, Nd4j.createFromArray(text));
        in.put(IMAGE, Nd4j.createFromArray(image));
        in.put(TARGETS, Nd4j.createFromArray(targets));
        return in;
    }

    /** Trains to {@code settings.steps()} (continuing from the checkpoint when there is one). */
    public Trainer.Result run(TrainingListener listener, Cancellation cancellation) {
        Batches batches = this::inputs;
        Trainer.Config.Builder b = Trainer.Config.builder(settings.steps())
                .learningRate(LearningRateSchedule.warmupCosine(settings.learningRate(), settings.warmup(),
                        settings.steps(), settings.learningRate() / 10))
                .adam(0.9, 0.96, 1e-8, 0.0).clipNorm(1.0).gcEvery(10);
        if (settings.emaDecay() > 0) {
            b.emaWarmup(settings.emaDecay());
        }
        b.checkpoint(settings.checkpoint(), settings.checkpointEvery());   // none when null
        trainer = new Trainer(graph, loss, batches, b.build())
                .listener(listener == null ? TrainingListener.NONE : listener).cancellation(cancellation);
        trainer.resumeIfPresent();
        return trainer.run();
    }

    /** The transformer's weights (the EMA's when one was kept), copies. */
    public Map<String, INDArray> weights() {
        return trainer != null ? trainer.finalWeights() : graph.stateCopy();
    }

    /** Writes the transformer as a model folder: {@code model.safetensors} and {@code config.json}. */
    public void save(Path dir, Map<String, String> metadata) {
        Safetensors.writeModelFolder(dir, weights(), metadata, config::write, "DALL·E transformer");
    }
}
