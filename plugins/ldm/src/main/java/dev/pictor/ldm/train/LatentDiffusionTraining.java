package dev.pictor.ldm.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.train.PairSource;
import dev.pictor.ldm.CoordinateChannels;
import dev.pictor.ldm.KlAutoencoderQuantizer;
import dev.pictor.ldm.UNet;
import dev.pictor.ldm.UNetConfig;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Batches;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import dev.pictor.nn.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains latent diffusion's UNet as {@code LatentDiffusion} does: each image of a caption pair is encoded by the
 * (frozen) first stage to a posterior draw times its scale factor, each caption by the (frozen) text encoder to its
 * token states, and the UNet learns {@link DiffusionObjective}'s L_simple on them, a caption replaced by the empty
 * one's encoding with probability {@code dropout} (what classifier-free guidance samples with). AdamW with warm-up
 * and cosine decay, gradient clipping, EMA weights with upstream's warm-up — saved as the model, as upstream samples with its EMA. Runs on
 * the project's {@link Trainer}, checkpointing, resuming exactly.
 *
 * <pre>{@code
 * var t = new LatentDiffusionTraining(unetConfig, vae, tokenizer, textEncoder, pairs, images, settings);
 * t.run(listener, Cancellation.never());
 * t.save(Path.of("zoo/shapes-ldm/unet"), Map.of());
 * }</pre>
 */
public final class LatentDiffusionTraining {
    /**
     * @param dropout    probability of training a pair unconditionally
     * @param emaDecay   EMA decay of the saved weights
     * @param timestepPower timesteps drawn with density ∝ t^(power − 1) ({@link DiffusionObjective#batches}; 1:
     *                   uniform)
     */
    public record Settings(long steps, int batch, double learningRate, long warmup, double dropout, double emaDecay,
            long seed, Path checkpoint, long checkpointEvery, double timestepPower) {
        /** Uniform timesteps, as upstream trains. */
        public Settings(long steps, int batch, double learningRate, long warmup, double dropout, double emaDecay,
                long seed, Path checkpoint, long checkpointEvery) {
            this(steps, batch, learningRate, warmup, dropout, emaDecay, seed, checkpoint, checkpointEvery, 1);
        }

        public Settings {
            if (steps <= 0 || batch <= 0 || !(learningRate > 0) || warmup < 0 || warmup >= steps
                    || !(dropout >= 0 && dropout <= 1) || !(emaDecay >= 0 && emaDecay < 1)) {
                throw new BadInputException("latent diffusion training: steps, batch and learning rate must be"
                        + " positive, warm-up shorter than the run, dropout in [0, 1], EMA decay in [0, 1) (got " + this
                        + ")");
            }
        }
    }

    /** Turns a pair's image ({@code [3, s, s]} in [−1, 1], as {@link PairSource} gives) into the autoencoder's input. */
    public interface ImageAdapter {
        float[] adapt(float[] chw);

        /** The identity: RGB images already of the autoencoder's size. */
        static ImageAdapter identity() {
            return chw -> chw;
        }

        /** Fashion-MNIST: one channel, padded from 28 to 32 pixels with the background, as the autoencoder saw. */
        static ImageAdapter greyPadded(int from, int to) {
            return chw -> dev.pictor.clip.train.ImageSource.greyPadded(chw, from, to);
        }
    }

    private final UNetConfig config;
    private final KlAutoencoderQuantizer vae;
    private final Tokenizer tokenizer;
    private final Encoder<TokenBatch> text;
    private final PairSource pairs;
    private final ImageAdapter adapter;
    private final Settings settings;
    private final Graph graph;
    private final SDVariable loss;
    private final NoiseSchedule schedule;
    private final INDArray unconditional;
    private final INDArray unconditionalVector;
    private final int contextLength;
    private final int coordinateChannels;
    private final Prediction prediction;
    private Trainer trainer;

    /** An ε-predicting UNet, as upstream's configs train. */
    public LatentDiffusionTraining(UNetConfig config, KlAutoencoderQuantizer vae, Tokenizer tokenizer,
            Encoder<TokenBatch> text, PairSource pairs, ImageAdapter adapter, NoiseSchedule schedule,
            Settings settings) {
        this(config, vae, tokenizer, text, pairs, adapter, schedule, Prediction.EPSILON, settings);
    }

    /**
     * A UNet that learns {@code prediction}'s target. v (with a schedule whose last step leaves no signal, such as
     * the cosine one) weights the clean sample's error at the noisiest steps by SNR + 1 instead of ε's SNR, which is
     * all but zero there: the steps that decide where things go.
     */
    public LatentDiffusionTraining(UNetConfig config, KlAutoencoderQuantizer vae, Tokenizer tokenizer,
            Encoder<TokenBatch> text, PairSource pairs, ImageAdapter adapter, NoiseSchedule schedule,
            Prediction prediction, Settings settings) {
        // the UNet reads the latents, or the latents and the two coordinate channels
        int coordinates = config.inChannels() - vae.latentChannels();
        if (coordinates != 0 && coordinates != CoordinateChannels.COUNT
                || config.outChannels() != vae.latentChannels()) {
            throw new BadInputException("the UNet's " + config.inChannels() + " → " + config.outChannels()
                    + " channels do not match the autoencoder's " + vae.latentChannels() + " latent channels (in:"
                    + " those, or two more with coordinate channels; out: those)");
        }
        this.coordinateChannels = coordinates;
        this.config = config;
        this.vae = vae;
        this.tokenizer = tokenizer;
        this.text = text;
        this.pairs = pairs;
        this.adapter = adapter;
        this.settings = settings;
        this.schedule = schedule;
        this.prediction = prediction;
        Map<String, INDArray> empty = conditions(List.of(""));
        this.unconditional = empty.get(DiffusionObjective.CONTEXT).slice(0).dup();
        this.unconditionalVector = empty.containsKey(DiffusionObjective.VECTOR)
                ? empty.get(DiffusionObjective.VECTOR).getRow(0).dup() : null;
        if (unconditionalVector != null && unconditionalVector.length() != config.admInChannels()) {
            throw new BadInputException("the text encoder's pooled vector is " + unconditionalVector.length()
                    + " wide; the UNet's adm_in_channels is " + config.admInChannels());
        }
        this.contextLength = (int) unconditional.size(0);
        if (unconditional.size(1) != config.contextDim()) {
            throw new BadInputException("the text encoder's states are " + unconditional.size(1) + " wide; the UNet"
                    + " cross-attends to " + config.contextDim());
        }
        int side = vae.config().latentSize();
        graph = new Graph(DataType.FLOAT, settings.seed(), Graph.Mode.TRAIN);
        loss = DiffusionObjective.build(graph, new UNet(config), new long[] {vae.latentChannels(), side, side},
                contextLength, config.contextDim(), prediction, coordinateChannels);
    }

    public Graph graph() {
        return graph;
    }

    /**
     * One pass of the text encoder over {@code captions}: their token states {@code [N, T, W]} as
     * {@link DiffusionObjective#CONTEXT} and, for a UNet with {@code adm_in_channels}, their pooled vectors
     * {@code [N, W']} as {@link DiffusionObjective#VECTOR}.
     */
    private Map<String, INDArray> conditions(List<String> captions) {
        boolean pooled = config.admInChannels() > 0;
        var encoded = text.encode(tokenizer.encodeBatch(captions), pooled
                ? EnumSet.of(Encoder.Output.TOKENS, Encoder.Output.POOLED) : EnumSet.of(Encoder.Output.TOKENS));
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(DiffusionObjective.CONTEXT, encoded.get(Encoder.Output.TOKENS).castTo(DataType.FLOAT));
        if (pooled) {
            out.put(DiffusionObjective.VECTOR, encoded.get(Encoder.Output.POOLED).castTo(DataType.FLOAT));
        }
        return out;
    }

    /** Clean latents and contexts of batch {@code step}: pairs {@code step·batch…}, posterior draws seeded by it. */
    Map<String, INDArray> data(long step) {
        int n = settings.batch();
        List<String> captions = new ArrayList<>(n);
        float[] first = adapter.adapt(pairs.pair(step * n).image());
        float[] all = new float[n * first.length];
        for (int i = 0; i < n; i++) {
            PairSource.Pair p = pairs.pair(step * n + i);
            System.arraycopy(i == 0 ? first : adapter.adapt(p.image()), 0, all, i * first.length, first.length);
            captions.add(p.caption());
        }
        int c = vae.config().inChannels();
        int r = vae.config().resolution();
        INDArray images = Nd4j.create(all, new long[] {n, c, r, r}, 'c');
        INDArray z0 = vae.encode(images, GaussianNoise.forSeeds(settings.seed() * 0x9E3779B97F4A7C15L + step, n));
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(DiffusionObjective.LATENTS, z0);
        out.putAll(conditions(captions));
        return out;
    }

    /** Trains to {@code settings.steps()} (continuing from the checkpoint when there is one). */
    public Trainer.Result run(TrainingListener listener, Cancellation cancellation) {
        Batches batches = DiffusionObjective.batches(this::data, schedule, unconditional, unconditionalVector,
                settings.dropout(), settings.seed(), settings.timestepPower());
        Trainer.Config.Builder b = Trainer.Config.builder(settings.steps())
                .learningRate(LearningRateSchedule.warmupCosine(settings.learningRate(), settings.warmup(),
                        settings.steps(), settings.learningRate() / 10))
                .adam(0.9, 0.999, 1e-8, 0.0).clipNorm(1.0).emaWarmup(settings.emaDecay()).gcEvery(10);
        b.checkpoint(settings.checkpoint(), settings.checkpointEvery());   // none when null
        trainer = new Trainer(graph, loss, batches, b.build()).listener(listener).cancellation(cancellation);
        trainer.resumeIfPresent();
        return trainer.run();
    }

    /** The UNet's EMA weights (its live ones when no EMA was kept). */
    public Map<String, INDArray> weights() {
        return trainer != null ? trainer.finalWeights() : graph.stateCopy();
    }

    /**
     * Writes the UNet as a model folder: {@code model.safetensors} (EMA weights, upstream's names) and
     * {@code config.json} (its unet_config, the noise schedule, the prediction and the latent side).
     */
    public void save(Path dir, Map<String, String> metadata) {
        Safetensors.writeModelFolder(dir, weights(), metadata, file -> new dev.pictor.ldm.DenoiserConfig(config,
                schedule, prediction, vae.config().latentSize(), coordinateChannels).write(file), "UNet");
    }
}
