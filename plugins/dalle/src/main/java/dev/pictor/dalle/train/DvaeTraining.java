package dev.pictor.dalle.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.dalle.DiscreteVae;
import dev.pictor.dalle.DvaeConfig;
import dev.pictor.dalle.DvaeQuantizer;
import dev.pictor.dalle.GumbelSoftmax;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Batches;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import dev.pictor.nn.train.TrainingListener;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a dVAE as DALL·E's first stage: the evidence lower bound with the Gumbel-softmax relaxation —
 * reconstruction by the logit-Laplace likelihood of the pixels (the decoder's means and log-scales; pixels squeezed
 * into [ε, 1 − ε] by {@code map_pixels}) plus β · KL(q(z | x) ‖ uniform), β raised linearly from 0 over
 * {@code klWarmup} steps (the paper's β warm-up) and τ annealed from {@code tauStart} to {@code tauEnd} along a cosine
 * over {@code tauAnneal} steps (the paper: 1 → 1/16). The relaxation's Gumbel noise is a pure function of (seed,
 * step), so a resumed run continues exactly. Codebook usage — the perplexity of the codes the encoder picks and how
 * many codes no recent batch used — is measured every {@link #USAGE_EVERY} steps.
 *
 * <pre>{@code
 * var t = new DvaeTraining(config, ImageSource.shapes(world), DvaeTraining.Settings.defaults(3000));
 * t.run(listener, usage -> System.out.println(usage), Cancellation.never());
 * t.save(Path.of("zoo/shapes-dalle/dvae"), Map.of());
 * }</pre>
 */
public final class DvaeTraining {
    /** Placeholders beside the images: the Gumbel noise, the temperature and the KL weight of the step. */
    public static final String IMAGES = "x";
    public static final String GUMBEL = "gumbel";
    public static final String TAU = "tau";
    public static final String BETA = "beta";
    /** Steps between codebook-usage measurements (an extra encoder pass each). */
    public static final int USAGE_EVERY = 50;
    /**
     * The floor of the decoder's log-scale in the likelihood: b ≥ e⁻⁵ ≈ 0.0067 in logit units, finer than one 8-bit
     * grey level of the mapped pixels (≈ 0.013 at mid-grey), so a sharp reconstruction is still rewarded.
     */
    static final double MIN_LOG_SCALE = -5.0;

    /**
     * @param klWeight  β after its warm-up (the paper's 6.6 is for 8192 codes and 256-pixel images; smaller models
     *                  want less)
     * @param klWarmup  steps over which β rises from 0
     * @param tauStart  the relaxation's first temperature
     * @param tauEnd    its last, reached at {@code tauAnneal} steps and kept
     * @param straightThrough the decoder reads the one-hot of each relaxed sample, the gradient flows through the
     *                  relaxation ({@link GumbelSoftmax#relaxHard}); false: it reads the relaxation itself
     * @param diversity weight of {@link GumbelSoftmax#diversityPenalty} per code cell (0: the paper's ELBO alone)
     * @param reconstruction the likelihood of the pixels: the paper's logit-Laplace, or a Gaussian of σ 0.1 on the
     *                  mapped pixels (what DALLE-pytorch trains with, as MSE)
     * @param restartEvery steps between restarts of dead codes ({@link DvaeTraining#restartDeadCodes}); 0 for none
     * @param noise     scale of the Gumbel noise (1: the relaxation as published; below 1 the codes depend on the
     *                  picture more than on the draw while the encoder's logits are still small)
     * @param argmaxWeight weight of a second reconstruction term: the decoder on the one-hot of each cell's argmax
     *                  code — what the transformer's images are decoded from — with no gradient to the encoder
     *                  (0: the ELBO alone)
     */
    public record Settings(long steps, int batch, double learningRate, long warmup, double klWeight, long klWarmup,
            double tauStart, double tauEnd, long tauAnneal, boolean straightThrough, double diversity,
            double noise, Reconstruction reconstruction, long restartEvery, double argmaxWeight, long seed,
            Path checkpoint, long checkpointEvery) {
        public Settings {
            if (steps <= 0 || batch <= 0 || !(learningRate > 0) || warmup < 0 || warmup >= steps || klWeight < 0
                    || klWarmup < 0 || !(tauStart > 0) || !(tauEnd > 0) || tauAnneal < 0 || !(diversity >= 0)
                    || !(noise >= 0) || reconstruction == null || restartEvery < 0 || !(argmaxWeight >= 0)) {
                throw new BadInputException("dVAE training: steps, batch, learning rate and temperatures must be"
                        + " positive, warm-up shorter than the run, β and the schedules' lengths not negative (got "
                        + this + ")");
            }
        }

        /**
         * The paper's recipe, small: batch 32, AdamW 1e-3 after 100 warm-up steps, β 0 → 1 over the first tenth,
         * τ 1 → 1/16 over the run, the soft relaxation with full Gumbel noise, the logit-Laplace likelihood.
         */
        public static Settings defaults(long steps) {
            return new Settings(steps, 32, 1e-3, Math.min(100, steps / 10), 1.0, steps / 10, 1.0, 1.0 / 16, steps,
                    false, 0, 1, Reconstruction.LOGIT_LAPLACE, 0, 0, 1, null, 100);
        }

        /** The temperature at {@code step}: cosine from tauStart to tauEnd over tauAnneal steps. */
        public double tau(long step) {
            if (tauAnneal == 0 || step >= tauAnneal) {
                return tauEnd;
            }
            double t = (double) step / tauAnneal;
            return tauEnd + (tauStart - tauEnd) * 0.5 * (1 + Math.cos(Math.PI * t));
        }

        /** β at {@code step}: linear from 0 over klWarmup steps. */
        public double beta(long step) {
            return klWarmup == 0 || step >= klWarmup ? klWeight : klWeight * step / klWarmup;
        }
    }

    /**
     * The reconstruction term. The paper's logit-Laplace learns a scale b per pixel: on the Shapes world, 80% black
     * background that the decoder draws exactly, it buys most of its likelihood with a tiny b there and a large one on
     * the objects — a picture's objects then hardly pay for being encoded, and the codes collapsed to 2–7 of 512.
     * A Gaussian of fixed σ makes every wrong pixel cost the same.
     */
    public enum Reconstruction {
        LOGIT_LAPLACE, GAUSSIAN
    }

    /** σ of the Gaussian likelihood, on the mapped pixels ([ε, 1 − ε]). */
    static final double GAUSSIAN_SIGMA = 0.1;

    /** How the encoder uses its codebook on the batches measured since the last report. */
    public record Usage(long step, double perplexity, int deadCodes, int codes) {
        @Override
        public String toString() {
            return String.format("step %d: code perplexity %.1f of %d, %d codes unused since the last report", step,
                    perplexity, codes, deadCodes);
        }
    }

    private final DvaeConfig config;
    private final ImageSource images;
    private final Settings settings;
    private final Graph graph;
    private final SDVariable loss;
    private final SDVariable logits;
    private final long[] counts;
    private Trainer trainer;
    /** The images of the step last fed, which the usage count after that step reads again (not rendered twice). */
    private long lastStep = -1;
    private INDArray lastImages;

    public DvaeTraining(DvaeConfig config, ImageSource images, Settings settings) {
        if (images.side() != config.resolution() || images.channels() != config.channels()) {
            throw new BadInputException("the dVAE (" + config.channels() + " channels, " + config.resolution()
                    + " pixels) does not fit images of " + images.channels() + " channels and " + images.side()
                    + " pixels");
        }
        this.config = config;
        this.images = images;
        this.settings = settings;
        this.counts = new long[config.vocabSize()];
        graph = new Graph(DataType.FLOAT, settings.seed(), Graph.Mode.TRAIN);
        var sd = graph.sameDiff();
        int c = config.channels();
        int r = config.resolution();
        int s = config.codeSize();
        DiscreteVae dvae = new DiscreteVae(config);
        SDVariable x = graph.input(IMAGES, -1, c, r, r);
        SDVariable gumbel = graph.input(GUMBEL, -1, config.vocabSize(), s, s);
        SDVariable tau = graph.input(TAU, 1);
        SDVariable beta = graph.input(BETA, 1);
        SDVariable mapped = DiscreteVae.mapPixels(x.add(1).mul(0.5));
        logits = dvae.encode(graph, "encoder", mapped);
        SDVariable codes = settings.straightThrough()
                ? GumbelSoftmax.relaxHard(graph, logits, gumbel, tau, config.vocabSize())
                : GumbelSoftmax.relax(graph, logits, gumbel, tau);
        SDVariable stats = dvae.decode(graph, "decoder", codes);
        SDVariable elbo = nll(graph, stats, mapped, c, settings.reconstruction()).mean()
                .add(GumbelSoftmax.klToUniform(graph, logits, config.vocabSize()).mean().mul(beta));
        if (settings.argmaxWeight() > 0) {
            // The same decoder (shared weights) on the argmax codes: a soft sample leaves small weights on every
            // code, which a decoder trained on samples alone learns to read; the transformer's codes have none.
            SDVariable hard = sd.oneHot(sd.argmax(logits, 1), config.vocabSize(), 1, 1.0, 0.0, logits.dataType());
            SDVariable hardStats = dvae.decode(graph, "decoder",
                    new org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient(sd, hard).outputVariable());
            elbo = elbo.add(nll(graph, hardStats, mapped, c, settings.reconstruction()).mean()
                    .mul(settings.argmaxWeight()));
        }
        // per cell, as the KL is summed over cells: the two regularisers on one scale
        loss = settings.diversity() == 0 ? elbo : elbo.add(GumbelSoftmax.diversityPenalty(graph, logits,
                config.vocabSize()).mul(settings.diversity() * s * s));
    }

    static SDVariable nll(Graph g, SDVariable stats, SDVariable y, int channels, Reconstruction reconstruction) {
        return reconstruction == Reconstruction.LOGIT_LAPLACE
                ? logitLaplaceNll(g, stats, y, channels) : gaussianNll(g, stats, y, channels);
    }

    /**
     * −log p(y | μ, b) of the logit-Laplace distribution (the DALL·E paper, §A.3), summed over an image's pixels:
     * {@code |logit(y) − μ| / b + log(2b) + log(y(1 − y))}, with {@code b = exp(log-scale)}; y are the mapped
     * pixels, μ and log b the decoder's two halves. {@code [N]}. The log-scale is clamped below at
     * {@link #MIN_LOG_SCALE}: a flat background is reconstructed exactly, and there the likelihood has no lower bound
     * as b → 0 — without the floor b underflows and the loss turns NaN within the first hundred steps.
     */
    static SDVariable logitLaplaceNll(Graph g, SDVariable stats, SDVariable y, int channels) {
        var sd = g.sameDiff();
        SDVariable mu = stats.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                org.nd4j.autodiff.samediff.SDIndex.interval(0, channels));
        SDVariable logScale = sd.math().clipByValue(stats.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                org.nd4j.autodiff.samediff.SDIndex.interval(channels, 2 * channels)), MIN_LOG_SCALE, 10.0);
        SDVariable logitY = sd.math().log(y.div(y.rsub(1.0)));
        SDVariable nll = sd.math().abs(logitY.sub(mu)).mul(sd.math().exp(logScale.neg())).add(logScale)
                .add(Math.log(2)).add(sd.math().log(y.mul(y.rsub(1.0))));
        return sd.sum(nll, 1, 2, 3);
    }

    /**
     * −log N(y | sigmoid(μ), σ²) up to a constant, summed over an image's pixels: {@code (sigmoid(μ) − y)² / 2σ²};
     * the decoder's log-scales are not used. {@code [N]}.
     */
    static SDVariable gaussianNll(Graph g, SDVariable stats, SDVariable y, int channels) {
        var sd = g.sameDiff();
        SDVariable mu = stats.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                org.nd4j.autodiff.samediff.SDIndex.interval(0, channels));
        SDVariable diff = sd.nn().sigmoid(mu).sub(y);
        return sd.sum(diff.mul(diff), 1, 2, 3).mul(1 / (2 * GAUSSIAN_SIGMA * GAUSSIAN_SIGMA));
    }

    public Graph graph() {
        return graph;
    }

    /** The training objective (per image, averaged over the batch). */
    SDVariable loss() {
        return loss;
    }

    /** The inputs of step {@code step}: images, Gumbel noise seeded by (seed, step), τ and β. */
    Map<String, INDArray> inputs(long step) {
        INDArray x = images.batch(step, settings.batch());
        lastStep = step;
        lastImages = x;
        int s = config.codeSize();
        long n = x.size(0);
        SplittableRandom r = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + step);
        float[] g = new float[(int) (n * config.vocabSize() * s * s)];
        for (int i = 0; i < g.length; i++) {
            // −log(−log u), u in (0, 1)
            double u = (r.nextLong() >>> 11) * 0x1.0p-53 + 0x1.0p-54;
            g[i] = (float) (-Math.log(-Math.log(u)) * settings.noise());
        }
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put(IMAGES, x);
        in.put(GUMBEL, Nd4j.create(g, new long[] {n, config.vocabSize(), s, s}, 'c'));
        in.put(TAU, Nd4j.createFromArray((float) settings.tau(step)));
        in.put(BETA, Nd4j.createFromArray((float) settings.beta(step)));
        return in;
    }

    /** Receives codebook usage every {@link #USAGE_EVERY} steps. */
    public interface UsageListener {
        void onUsage(Usage usage);
    }

    /** Trains to {@code settings.steps()} (continuing from the checkpoint when there is one). */
    public Trainer.Result run(TrainingListener listener, UsageListener usage, Cancellation cancellation) {
        Batches batches = this::inputs;
        Trainer.Config.Builder b = Trainer.Config.builder(settings.steps())
                .learningRate(LearningRateSchedule.warmupCosine(settings.learningRate(), settings.warmup(),
                        settings.steps(), settings.learningRate() / 10))
                .adam(0.9, 0.999, 1e-8, 0.0).clipNorm(0).gcEvery(10);
        // No clipping by global norm: the likelihood's gradients at the decoder reach 10⁵–10⁶ (sharp scales b on
        // exactly drawn backgrounds) while the encoder's, through the relaxation, stay near 1; scaled together to
        // norm 1, the encoder's fall below Adam's ε and it stops learning — its codes collapsed to 2–6 of 512.
        // Adam alone is indifferent to the gradients' scale.
        b.checkpoint(settings.checkpoint(), settings.checkpointEvery());   // none when null
        TrainingListener both = (step, total, l, lr, norm) -> {
            if (listener != null) {
                listener.onStep(step, total, l, lr, norm);
            }
            if (settings.restartEvery() > 0 && (step + 1) % settings.restartEvery() == 0 && step + 1 < total) {
                restartDeadCodes(step);
            }
            if (usage != null && (step % USAGE_EVERY == 0 || step + 1 == total)) {
                count(step);
                if (step % (USAGE_EVERY * 4) == 0 || step + 1 == total) {
                    usage.onUsage(report(step));
                }
            }
        };
        trainer = new Trainer(graph, loss, batches, b.build()).listener(both).cancellation(cancellation);
        trainer.resumeIfPresent();
        return trainer.run();
    }

    /** Images whose codes decide which codes are dead at a restart. */
    static final int RESTART_BATCHES = 8;

    /**
     * Dead-code restarts, as VQ-VAEs keep their codebooks alive (Jukebox's random restarts; Dhariwal et al. 2020):
     * the codes the encoder picks for no cell of the last {@link #RESTART_BATCHES} batches each become a copy of a
     * used code, drawn in proportion to its use — its row of the encoder's last convolution with a little noise,
     * its column of the decoder's first. A popular code is thus split in two that training then tells apart. Without
     * it, the codes a decoder learns first are the best choice for every cell (the others' columns never train
     * under a one-hot code), and on the Shapes world's flat black backgrounds the encoder settled on 1–7 of 512.
     * A pure function of the weights and the step, so a resumed run restarts the same codes.
     */
    void restartDeadCodes(long step) {
        long[] used = new long[config.vocabSize()];
        for (int i = 0; i < RESTART_BATCHES; i++) {
            countCodes(images.batch(step - i, settings.batch()), used);
        }
        long total = 0;
        for (long k : used) {
            total += k;
        }
        Map<String, INDArray> state = graph.state();
        INDArray encW = state.get("encoder.blocks.output.conv.w");
        INDArray encB = state.get("encoder.blocks.output.conv.b");
        INDArray decW = state.get("decoder.blocks.input.w");
        SplittableRandom r = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L
                ^ (step + 1) * 0xBF58476D1CE4E5B9L);
        var all = org.nd4j.linalg.indexing.NDArrayIndex.all();
        for (int dead = 0; dead < used.length; dead++) {
            if (used[dead] != 0) {
                continue;
            }
            long pick = r.nextLong(total);
            int source = 0;
            while (pick >= used[source]) {
                pick -= used[source];
                source++;
            }
            INDArray row = encW.get(org.nd4j.linalg.indexing.NDArrayIndex.point(source), all, all, all);
            double scale = 0.1 * row.stdNumber().doubleValue();
            float[] noise = new float[(int) row.length()];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) (scale * r.nextGaussian());
            }
            encW.get(org.nd4j.linalg.indexing.NDArrayIndex.point(dead), all, all, all).assign(
                    row.add(Nd4j.create(noise, row.shape(), 'c').castTo(row.dataType())));
            encB.putScalar(dead, encB.getDouble(source));
            decW.get(all, org.nd4j.linalg.indexing.NDArrayIndex.point(dead), all, all).assign(
                    decW.get(all, org.nd4j.linalg.indexing.NDArrayIndex.point(source), all, all));
        }
    }

    /** Adds the codes the encoder now picks for step {@code step}'s images to the usage counts. */
    private void count(long step) {
        countCodes(step == lastStep ? lastImages : images.batch(step, settings.batch()), counts);
    }

    /** Adds one to {@code into[c]} for each cell of {@code x} whose argmax code the encoder now gives is c. */
    private void countCodes(INDArray x, long[] into) {
        INDArray codes = graph.output(Map.of(IMAGES, x), logits).argMax(1);
        for (long id : codes.castTo(DataType.INT64).dup('c').data().asLong()) {
            into[(int) id]++;
        }
    }

    /** Perplexity and unused codes of the counts since the last report; then starts counting afresh. */
    private Usage report(long step) {
        int dead = 0;
        for (long k : counts) {
            dead += k == 0 ? 1 : 0;
        }
        Usage u = new Usage(step, perplexity(counts), dead, config.vocabSize());
        java.util.Arrays.fill(counts, 0);
        return u;
    }

    /** Reconstruction quality through the codes (argmax, as the transformer sees images) on held-out images. */
    /**
     * @param softPsnr through softmax(logits) instead of the argmax: what the relaxation lets the decoder read; far
     *                 above {@code psnr}, the decoder relies on weights the codes do not carry
     */
    public record Evaluation(double psnr, double softPsnr, double perplexity, int images) {
        @Override
        public String toString() {
            return String.format("PSNR %.2f dB through the codes (%.2f dB through their softmax), code perplexity"
                    + " %.1f (%d images)", psnr, softPsnr, perplexity, images);
        }
    }

    /**
     * Encodes {@code count} held-out images to codes and decodes them ({@link DvaeQuantizer}, the inference path):
     * PSNR over all their pixels in [0, 1], and the perplexity of the codes used.
     */
    public Evaluation evaluate(ImageSource held, int count) {
        DvaeQuantizer q = new DvaeQuantizer(config, weights());
        int size = Math.min(count, 64);
        double squared = 0;
        double softSquared = 0;
        long pixels = 0;
        long[] used = new long[config.vocabSize()];
        int seen = 0;
        for (long b = 0; seen < count; b++) {
            INDArray x = held.batch(b, Math.min(size, count - seen));
            INDArray logits = q.logits(x);
            INDArray codes = logits.argMax(1).castTo(DataType.INT64);
            for (long id : codes.dup('c').data().asLong()) {
                used[(int) id]++;
            }
            INDArray truth = x.castTo(DataType.DOUBLE).add(1).div(2);
            double d = truth.sub(q.decode(codes).castTo(DataType.DOUBLE).add(1).div(2)).norm2Number().doubleValue();
            squared += d * d;
            INDArray soft = org.nd4j.linalg.ops.transforms.Transforms.softmax(
                    logits.permute(0, 2, 3, 1).reshape(-1, config.vocabSize()), true);
            long s = config.codeSize();
            soft = soft.reshape(x.size(0), s, s, config.vocabSize()).permute(0, 3, 1, 2).dup('c');
            double e = truth.sub(q.decodeDistributions(soft).castTo(DataType.DOUBLE).add(1).div(2))
                    .norm2Number().doubleValue();
            softSquared += e * e;
            pixels += x.length();
            seen += (int) x.size(0);
        }
        return new Evaluation(psnr(pixels, squared), psnr(pixels, softSquared), perplexity(used), seen);
    }

    private static double psnr(long pixels, double squared) {
        return 10 * Math.log10(pixels / Math.max(squared, 1e-12));
    }

    static double perplexity(long[] counts) {
        long total = 0;
        for (long k : counts) {
            total += k;
        }
        double entropy = 0;
        for (long k : counts) {
            if (k > 0) {
                double p = (double) k / total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /** The trained weights: upstream's names under {@code encoder.} and {@code decoder.}, copies. */
    public Map<String, INDArray> weights() {
        return trainer != null ? trainer.finalWeights() : graph.stateCopy();
    }

    /** Writes the dVAE as a model folder: {@code model.safetensors} and {@code config.json}. */
    public void save(Path dir, Map<String, String> metadata) {
        Safetensors.writeModelFolder(dir, weights(), metadata, config::write, "dVAE");
    }
}
