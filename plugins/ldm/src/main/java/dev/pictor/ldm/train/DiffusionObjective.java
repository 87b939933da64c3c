package dev.pictor.ldm.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.ldm.CoordinateChannels;
import dev.pictor.ldm.UNet;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Batches;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Latent diffusion's training objective, upstream's {@code LatentDiffusion.p_losses} with its defaults:
 * {@code z_t = √ᾱ_t·z₀ + √(1 − ᾱ_t)·ε} for a uniformly drawn timestep, and
 * {@code L_simple = mean ‖target − UNet(z_t, t, c)‖²}, the target being ε (or v, or z₀, as the model predicts).
 * {@link #batches} turns batches of clean latents and contexts into the objective's inputs: noise, timesteps and
 * their schedule coefficients drawn from a stream seeded by (seed, step), so a resumed run sees the same draws, and
 * each context replaced by the unconditional one with probability {@code dropout} — what classifier-free guidance
 * needs at sampling time.
 *
 * <pre>{@code
 * Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.TRAIN);
 * SDVariable loss = DiffusionObjective.build(g, new UNet(config), new long[] {4, 8, 8}, 77, 768,
 *         Prediction.EPSILON);
 * Batches inputs = DiffusionObjective.batches(latentsAndContexts, schedule, emptyPromptContext, 0.1, 42);
 * new Trainer(g, loss, inputs, trainerConfig).run();
 * }</pre>
 */
public final class DiffusionObjective {
    /** Placeholder names: clean latents, their context, and what {@link #batches} adds. */
    public static final String LATENTS = "z0";
    public static final String CONTEXT = "context";
    /** The vector condition (the text's pooled vector) of a UNet with {@code adm_in_channels}. */
    public static final String VECTOR = "y";
    public static final String NOISE = "noise";
    public static final String TIMESTEPS = "t";
    public static final String SIGNAL = "sqrt_alpha_bar";
    public static final String NOISE_LEVEL = "sqrt_one_minus_alpha_bar";

    private DiffusionObjective() {
    }

    /**
     * Builds the loss on {@code g}: inputs {@link #LATENTS} {@code [N, …latentShape]}, {@link #CONTEXT}
     * {@code [N, contextLength, contextDim]}, {@link #NOISE} (as the latents), {@link #TIMESTEPS} {@code [N]},
     * {@link #SIGNAL} and {@link #NOISE_LEVEL} {@code [N]}.
     */
    public static SDVariable build(Graph g, UNet unet, long[] latentShape, int contextLength, long contextDim,
            Prediction prediction) {
        return build(g, unet, latentShape, contextLength, contextDim, prediction, 0);
    }

    /**
     * The same, the UNet reading {@code coordinateChannels} ({@link CoordinateChannels}: 0 or 2) appended to the
     * noisy latents {@code [N, c, h, w]} that {@code latentShape} ({@code [c, h, w]}) describes.
     */
    public static SDVariable build(Graph g, UNet unet, long[] latentShape, int contextLength, long contextDim,
            Prediction prediction, int coordinateChannels) {
        var sd = g.sameDiff();
        long[] shape = new long[latentShape.length + 1];
        shape[0] = -1;
        System.arraycopy(latentShape, 0, shape, 1, latentShape.length);
        SDVariable z0 = g.input(LATENTS, shape);
        SDVariable noise = g.input(NOISE, shape);
        SDVariable t = g.input(TIMESTEPS, -1);
        SDVariable a = g.input(SIGNAL, -1).reshape(-1, 1, 1, 1);
        SDVariable s = g.input(NOISE_LEVEL, -1).reshape(-1, 1, 1, 1);
        SDVariable context = g.input(CONTEXT, -1, contextLength, contextDim);
        SDVariable zt = z0.mul(a).add(noise.mul(s));
        SDVariable input = coordinateChannels > 0
                ? CoordinateChannels.append(g, zt, latentShape[1], latentShape[2]) : zt;
        int adm = unet.config().admInChannels();
        SDVariable predicted = unet.apply(g, input, t, context, adm > 0 ? g.input(VECTOR, -1, adm) : null);
        SDVariable target = switch (prediction) {
            case EPSILON -> noise;
            case V -> noise.mul(a).sub(z0.mul(s));
            case X0 -> z0;
        };
        return sd.math().square(predicted.sub(target)).mean();
    }

    /**
     * The objective's inputs for each step: {@code data}'s batches ({@link #LATENTS}, {@link #CONTEXT}) with noise,
     * timesteps uniform over the schedule's, their coefficients, and condition dropout.
     *
     * @param unconditional the context of the empty prompt {@code [contextLength, contextDim]}
     * @param dropout       probability of replacing a row's context by it
     */
    public static Batches batches(Batches data, NoiseSchedule schedule, INDArray unconditional, double dropout,
            long seed) {
        return batches(data, schedule, unconditional, dropout, seed, 1);
    }

    /**
     * The same with timesteps drawn as {@code ⌊T·u^(1/power)⌋} for uniform u: density ∝ t^(power − 1), so a
     * power above 1 trains the noisiest steps — where a sample's layout is decided — more often (1: uniform,
     * upstream's).
     */
    public static Batches batches(Batches data, NoiseSchedule schedule, INDArray unconditional, double dropout,
            long seed, double timestepPower) {
        return batches(data, schedule, unconditional, null, dropout, seed, timestepPower);
    }

    /**
     * The same for a UNet with a vector condition: {@code data}'s batches carry {@link #VECTOR} too, and a dropped
     * row takes {@code unconditionalVector} (the empty prompt's) with the empty context.
     */
    public static Batches batches(Batches data, NoiseSchedule schedule, INDArray unconditional,
            INDArray unconditionalVector, double dropout, long seed, double timestepPower) {
        if (!(timestepPower >= 1 && timestepPower <= 8)) {
            throw new BadInputException("the timestep power must be in [1, 8] (1: uniform), got " + timestepPower);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new BadInputException("condition dropout must be a probability in [0, 1], got " + dropout);
        }
        return step -> {
            Map<String, INDArray> in = data.batch(step);
            INDArray z0 = in.get(LATENTS);
            INDArray context = in.get(CONTEXT);
            if (z0 == null || context == null) {
                throw new IllegalArgumentException("a batch needs \"" + LATENTS + "\" and \"" + CONTEXT + "\", got "
                        + in.keySet());
            }
            int n = (int) z0.size(0);
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
            float[] noise = new float[(int) z0.length()];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) random.nextGaussian();
            }
            long[] t = new long[n];
            float[] signal = new float[n];
            float[] noiseLevel = new float[n];
            INDArray contexts = context.castTo(DataType.FLOAT).dup('c');
            INDArray empty = unconditional.castTo(DataType.FLOAT);
            INDArray vectors = unconditionalVector == null ? null : in.get(VECTOR).castTo(DataType.FLOAT).dup('c');
            for (int i = 0; i < n; i++) {
                t[i] = timestepPower == 1 ? random.nextInt(schedule.trainSteps())
                        : Math.min(schedule.trainSteps() - 1,
                                (long) (schedule.trainSteps() * Math.pow(random.nextDouble(), 1 / timestepPower)));
                double alphaBar = schedule.alphaBar((int) t[i]);
                signal[i] = (float) Math.sqrt(alphaBar);
                noiseLevel[i] = (float) Math.sqrt(1 - alphaBar);
                if (random.nextDouble() < dropout) {
                    contexts.slice(i).assign(empty);
                    if (vectors != null) {
                        vectors.getRow(i).assign(unconditionalVector);
                    }
                }
            }
            Map<String, INDArray> out = new LinkedHashMap<>();
            out.put(LATENTS, z0.castTo(DataType.FLOAT));
            out.put(CONTEXT, contexts);
            if (vectors != null) {
                out.put(VECTOR, vectors);
            }
            out.put(NOISE, Nd4j.create(noise, z0.shape(), 'c'));
            out.put(TIMESTEPS, Nd4j.createFromArray(t));
            out.put(SIGNAL, Nd4j.createFromArray(signal));
            out.put(NOISE_LEVEL, Nd4j.createFromArray(noiseLevel));
            return out;
        };
    }
}
