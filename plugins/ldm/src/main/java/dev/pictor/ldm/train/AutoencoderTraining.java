package dev.pictor.ldm.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.ldm.AutoencoderConfig;
import dev.pictor.ldm.KlAutoencoder;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.AdamW;
import dev.pictor.nn.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a {@link KlAutoencoder} as latent diffusion's first stage is trained (CompVis's
 * {@code LPIPSWithDiscriminator}): per image, the L1 reconstruction error summed over pixels plus a perceptual
 * distance ({@link PerceptualLoss}, weighted as upstream adds it to every pixel), the posterior's KL to the standard
 * normal with a small weight, and — from step {@code discStart} on — a PatchGAN ({@link PatchDiscriminator}) trained
 * with the hinge loss, whose generator term {@code −mean D(x̂)} is weighted adaptively: {@code λ = ‖∇_W L_rec‖ /
 * (‖∇_W L_G‖ + 1e-4)} at the decoder's last convolution W (clamped to [0, 10⁴], times {@code discWeight}), so the
 * adversarial gradient never swamps the reconstruction one. The autoencoder and the discriminator have their own
 * AdamW (β = 0.5, 0.9, as upstream). Reconstructions sample the posterior; steps are seeded by (seed, step), and a
 * checkpoint holds both models and both optimisers, so a stopped run resumes exactly.
 *
 * <p>Upstream also learns a log-variance that rescales the reconstruction term; here it stays 0 (the scale is then
 * upstream's initial one), which keeps the KL and adversarial weights meaningful from the first step.
 *
 * <pre>{@code
 * var t = new AutoencoderTraining(config, ImageSource.shapes(world), perceptual,
 *         AutoencoderTraining.Settings.defaults(3000));
 * t.run(Path.of("target/ae.ckpt"), 100, m -> System.out.println(m), Cancellation.never());
 * Map<String, INDArray> weights = t.autoencoderState();   // first-stage weights in upstream's names
 * }</pre>
 */
public final class AutoencoderTraining {
    /** The discriminator's parameters live under this prefix (upstream's {@code loss.discriminator}). */
    public static final String DISCRIMINATOR = "loss.discriminator";
    private static final String LAST_LAYER = "decoder.conv_out.weight";

    /**
     * @param perceptualWeight weight of the perceptual distance (upstream 1.0)
     * @param klWeight         weight of the KL term (upstream 1e-6)
     * @param discWeight       the adversarial term's weight on top of the adaptive one (upstream 0.5)
     * @param discStart        the step the discriminator starts at (a warm-up of plain reconstruction before it)
     */
    public record Settings(long steps, int batch, double learningRate, double perceptualWeight, double klWeight,
            double discWeight, long discStart, int discWidth, int discLayers, long seed) {
        public Settings {
            if (steps <= 0 || batch <= 0 || !(learningRate > 0) || perceptualWeight < 0 || klWeight < 0
                    || discWeight < 0 || discStart < 0 || discWidth <= 0 || discLayers <= 0) {
                throw new BadInputException("autoencoder training: steps, batch, learning rate, discriminator width"
                        + " and layers must be positive, the weights and the discriminator's start not negative (got "
                        + this + ")");
            }
        }

        /** Upstream's weights, a discriminator starting halfway, batch 32, learning rate 2e-4, seed 1. */
        public static Settings defaults(long steps) {
            return new Settings(steps, 32, 2e-4, 1.0, 1e-6, 0.5, steps / 2, 32, 2, 1);
        }
    }


    /**
     * One step: the reconstruction objective, the adversarial losses and λ (NaN and 0 before the discriminator
     * starts); and every {@link #MEASURE_EVERY} steps (else NaN) its parts: L1 per pixel, perceptual distance and
     * KL per image.
     */
    public record Metrics(long step, long steps, double loss, double l1, double perceptual, double kl,
            double generator, double discriminator, double adaptiveWeight, double seconds) {
    }

    /** Steps between measurements of the objective's parts (an extra forward pass each). */
    public static final int MEASURE_EVERY = 25;

    /** Receives each step's metrics. */
    public interface Listener {
        void onStep(Metrics m);
    }

    private final AutoencoderConfig config;
    private final ImageSource images;
    private final Settings settings;
    private final Graph graph;
    private final SDVariable lossRec;
    private final SDVariable lossGenerator;
    private final SDVariable lossDiscriminator;
    private final SDVariable l1;
    private final SDVariable perceptualTerm;
    private final SDVariable klTerm;
    private final SDVariable reconstruction;
    private final SDVariable sampled;
    private final List<String> autoencoderParams = new ArrayList<>();
    private final List<String> discriminatorParams = new ArrayList<>();
    private final AdamW autoencoderAdam = new AdamW(0.5, 0.9, 1e-8, 0.0);
    private final AdamW discriminatorAdam = new AdamW(0.5, 0.9, 1e-8, 0.0);
    private long nextStep;

    /** @param perceptual the perceptual network, or null to train without one */
    public AutoencoderTraining(AutoencoderConfig config, ImageSource images, PerceptualLoss perceptual, Settings settings) {
        if (images.side() != config.resolution() || images.channels() != config.inChannels()
                || config.outCh() != config.inChannels()) {
            throw new BadInputException("the autoencoder (" + config.inChannels() + " → " + config.outCh()
                    + " channels, " + config.resolution() + " pixels) does not fit images of " + images.channels()
                    + " channels and " + images.side() + " pixels");
        }
        this.config = config;
        this.images = images;
        this.settings = settings;
        this.graph = new Graph(DataType.FLOAT, settings.seed(), Graph.Mode.TRAIN);
        Graph g = graph;
        var sd = g.sameDiff();
        int c = images.channels();
        int side = images.side();
        int latent = config.latentSize();
        SDVariable x = g.input("x", -1, c, side, side);
        SDVariable noise = g.input("noise", -1, config.embedDim(), latent, latent);
        KlAutoencoder ae = new KlAutoencoder(config);
        KlAutoencoder.Posterior posterior = KlAutoencoder.posterior(g, ae.encode(g, x));
        sampled = posterior.sample(noise);
        reconstruction = ae.decode(g, sampled);
        autoencoderParams.addAll(g.paramNames());
        SDVariable perPixel = sd.math().abs(x.sub(reconstruction));
        l1 = perPixel.mean();
        SDVariable nll = perPixel.sum(1, 2, 3);
        if (perceptual != null && settings.perceptualWeight() > 0) {
            perceptualTerm = perceptual.apply(g, x, reconstruction, c, side);
            nll = nll.add(perceptualTerm.mul(settings.perceptualWeight() * c * side * side));
        } else {
            perceptualTerm = null;
        }
        klTerm = posterior.kl(g).mean();
        lossRec = nll.mean().add(klTerm.mul(settings.klWeight()));
        List<String> before = g.paramNames();
        PatchDiscriminator d = new PatchDiscriminator(c, settings.discWidth(), settings.discLayers());
        SDVariable fake = d.apply(g, DISCRIMINATOR, reconstruction);
        SDVariable real = d.apply(g, DISCRIMINATOR, x);
        for (String p : g.paramNames()) {
            if (!before.contains(p)) {
                discriminatorParams.add(p);
            }
        }
        lossGenerator = fake.mean().neg();
        lossDiscriminator = sd.nn().relu(real.rsub(1.0), 0).mean().add(sd.nn().relu(fake.add(1.0), 0).mean())
                .mul(0.5);
        // taming's weights_init: discriminator convolutions N(0, 0.02)
        Nd4j.getRandom().setSeed(settings.seed() + 17);
        for (String p : discriminatorParams) {
            INDArray w = g.sameDiff().getArrForVarName(p);
            if (w.rank() == 4) {
                w.assign(Nd4j.randn(DataType.FLOAT, w.shape()).muli(0.02));
            }
        }
    }

    public Graph graph() {
        return graph;
    }

    /** The autoencoder's weights (upstream's first-stage names), copies. */
    public Map<String, INDArray> autoencoderState() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<String, INDArray> state = graph.state();
        autoencoderParams.forEach(p -> out.put(p, state.get(p).dup()));
        return out;
    }

    /** Continues from {@code checkpoint} when it exists; returns the step it continues at. */
    public long resumeIfPresent(Path checkpoint) {
        if (checkpoint == null || !Files.exists(checkpoint)) {
            return nextStep;
        }
        Checkpoint c = Checkpoint.read(checkpoint);
        graph.load(c.params(), true);
        autoencoderAdam.load(under(c.optimizer(), "ae."), c.adamSteps());
        discriminatorAdam.load(under(c.optimizer(), "d."), Math.max(0, c.nextStep() - settings.discStart()));
        nextStep = c.nextStep();
        return nextStep;
    }

    private static Map<String, INDArray> under(Map<String, INDArray> all, String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private void save(Path file) {
        Map<String, INDArray> optimizer = new LinkedHashMap<>();
        autoencoderAdam.state().forEach((k, v) -> optimizer.put("ae." + k, v));
        discriminatorAdam.state().forEach((k, v) -> optimizer.put("d." + k, v));
        new Checkpoint(new LinkedHashMap<>(graph.state()), optimizer, Map.of(), nextStep, autoencoderAdam.steps(),
                settings.seed()).write(file);
    }

    /** Trains to {@code settings.steps()}, checkpointing every {@code every} steps (and at the end or on cancel). */
    public long run(Path checkpoint, long every, Listener listener, Cancellation cancellation) {
        Graph.Gradients rec = graph.gradientRunner(lossRec, autoencoderParams);
        Graph.Gradients gen = graph.gradientRunner(lossGenerator, autoencoderParams);
        Graph.Gradients disc = graph.gradientRunner(lossDiscriminator, discriminatorParams);
        Map<String, INDArray> state = graph.state();
        List<SDVariable> watched = new ArrayList<>(List.of(l1, klTerm));
        if (perceptualTerm != null) {
            watched.add(perceptualTerm.mean());
        }
        long start = System.nanoTime();
        for (long step = nextStep; step < settings.steps(); step++) {
            if (cancellation.isCancelled()) {
                break;
            }
            Map<String, INDArray> in = inputs(step);
            Graph.Gradients.Result r = rec.compute(in);
            Map<String, INDArray> grads = copy(r.gradients());
            double weight = 0;
            double generator = Double.NaN;
            double discriminator = Double.NaN;
            boolean adversarial = step >= settings.discStart();
            if (adversarial) {
                Graph.Gradients.Result gr = gen.compute(in);
                generator = gr.loss();
                double recNorm = grads.get(LAST_LAYER).norm2Number().doubleValue();
                double genNorm = gr.gradients().get(LAST_LAYER).norm2Number().doubleValue();
                weight = Math.min(Math.max(recNorm / (genNorm + 1e-4), 0), 1e4) * settings.discWeight();
                double w = weight;
                gr.gradients().forEach((k, v) -> grads.get(k).addi(v.mul(w)));
            }
            if (!Double.isFinite(r.loss())) {
                throw new dev.pictor.api.PictorException("the autoencoder's loss became " + r.loss() + " at step "
                        + step + ": lower the learning rate");
            }
            autoencoderAdam.step(state, grads, settings.learningRate());
            if (adversarial) {
                Graph.Gradients.Result dr = disc.compute(in);
                discriminator = dr.loss();
                discriminatorAdam.step(state, copy(dr.gradients()), settings.learningRate());
            }
            nextStep = step + 1;
            if (listener != null) {
                double a = Double.NaN;
                double p = Double.NaN;
                double k = Double.NaN;
                if (step % MEASURE_EVERY == 0 || nextStep == settings.steps()) {
                    Map<String, INDArray> m = graph.output(in, watched.toArray(SDVariable[]::new));
                    a = scalar(m, l1);
                    p = perceptualTerm == null ? 0 : scalar(m, watched.get(2));
                    k = scalar(m, klTerm);
                }
                listener.onStep(new Metrics(step, settings.steps(), r.loss(), a, p, k, generator, discriminator,
                        weight, (System.nanoTime() - start) / 1e9));
            }
            if (checkpoint != null && every > 0 && nextStep % every == 0) {
                save(checkpoint);
            }
            if (nextStep % 10 == 0) {
                System.gc();   // ND4J frees native buffers only when their Java objects are collected
            }
        }
        if (checkpoint != null) {
            save(checkpoint);
        }
        return nextStep;
    }

    private static double scalar(Map<String, INDArray> m, SDVariable v) {
        return m.get(v.name()).getDouble(0);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> grads) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        grads.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    private Map<String, INDArray> inputs(long step) {
        INDArray x = images.batch(step, settings.batch());
        int latent = config.latentSize();
        SplittableRandom r = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + step);
        float[] noise = new float[(int) (x.size(0) * config.embedDim() * latent * latent)];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) r.nextGaussian();
        }
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("x", x);
        in.put("noise", Nd4j.create(noise, new long[] {x.size(0), config.embedDim(), latent, latent}, 'c'));
        return in;
    }

    /** What a trained autoencoder measures on images it never saw. */
    public record Evaluation(double psnr, double latentStd, int images) {
    }

    /**
     * Reconstructs {@code count} images from {@code held} (batches from step 0 on: a source the training never drew
     * from) through the posterior's mean, and measures their PSNR; also the standard deviation of posterior samples,
     * whose inverse is the scale factor diffusion multiplies latents by (upstream's {@code scale_by_std}).
     */
    public Evaluation evaluate(ImageSource held, int count) {
        int size = 32;
        double squared = 0;
        long pixels = 0;
        double sum = 0;
        double sumSq = 0;
        long latents = 0;
        for (long b = 0; b * size < count; b++) {
            INDArray x = held.batch(b, size);
            Map<String, INDArray> in = inputs(0);
            in.put("x", x);
            INDArray noise = in.get("noise");
            Map<String, INDArray> zero = new LinkedHashMap<>(in);
            zero.put("noise", Nd4j.zeros(DataType.FLOAT, noise.shape()));
            INDArray rec = graph.output(zero, reconstruction).dup();
            INDArray a = x.castTo(DataType.DOUBLE).add(1).div(2);
            INDArray r = org.nd4j.linalg.ops.transforms.Transforms.max(org.nd4j.linalg.ops.transforms.Transforms.min(
                    rec.castTo(DataType.DOUBLE).add(1).div(2), 1.0), 0.0);
            double d = a.sub(r).norm2Number().doubleValue();
            squared += d * d;
            pixels += a.length();
            INDArray z = graph.output(in, sampled).castTo(DataType.DOUBLE);
            sum += z.sumNumber().doubleValue();
            sumSq += z.mul(z).sumNumber().doubleValue();
            latents += z.length();
        }
        double m = sum / latents;
        return new Evaluation(10 * Math.log10(pixels / Math.max(squared, 1e-12)), Math.sqrt(sumSq / latents - m * m),
                (int) Math.min(count, pixels / ((long) images.channels() * images.side() * images.side())));
    }

    /**
     * Writes the autoencoder as a model folder: {@code model.safetensors} (upstream's first-stage names) and
     * {@code config.json} with {@code scaleFactor} (1 / the latents' std, from {@link #evaluate}).
     */
    public void save(Path dir, double scaleFactor, Map<String, String> metadata) {
        try {
            Files.createDirectories(dir);
            dev.pictor.api.weights.Safetensors.write(dir.resolve("model.safetensors"), autoencoderState(), metadata);
            new AutoencoderConfig(config.ch(), config.chMult(), config.numResBlocks(), config.attnResolutions(),
                    config.resolution(), config.inChannels(), config.outCh(), config.zChannels(), config.embedDim(),
                    scaleFactor).write(dir.resolve("config.json"));
        } catch (java.io.IOException e) {
            throw new BadInputException("cannot write the autoencoder to " + dir + ": " + e.getMessage());
        }
    }
}
