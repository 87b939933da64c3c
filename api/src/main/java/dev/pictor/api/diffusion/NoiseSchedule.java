package dev.pictor.api.diffusion;

import dev.pictor.api.BadInputException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward (noising) process of a diffusion model: a table of β_t over {@code trainSteps} discrete timesteps,
 * and what follows from it — ᾱ_t = ∏(1 − β_s), the noise level σ_t = √((1 − ᾱ_t)/ᾱ_t), and q(x_t | x_0) in
 * closed form. Training draws x_t with {@link #addNoise}; samplers walk the same table backwards, so a model
 * and its samplers can never disagree about the noise levels. A denoiser's {@code config.json} carries the
 * schedule as {@link #toConfig()}.
 *
 * <p>Continuous time: {@link #sigmaAt(double)} and {@link #timestep(double)} interpolate log σ linearly between
 * neighbouring timesteps (as k-diffusion and diffusers' Karras option do), so they are inverses of each other and
 * samplers that choose σ freely (Karras) can still give the network the fractional timestep it expects.
 *
 * <pre>{@code
 * NoiseSchedule s = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);   // Stable Diffusion's
 * double abar = s.alphaBar(999);                                        // 0.00466…
 * INDArray xt = s.addNoise(x0, eps, Nd4j.createFromArray(500f, 20f));   // one timestep per sample
 * }</pre>
 */
public final class NoiseSchedule {

    /** How β_t runs from the first timestep to the last. */
    public enum Beta {
        /** β evenly spaced from start to end (DDPM). */
        LINEAR("linear"),
        /** √β evenly spaced from √start to √end (latent diffusion, Stable Diffusion). */
        SCALED_LINEAR("scaled-linear"),
        /**
         * ᾱ(t) = cos²(((t/T + 0.008)/1.008)·π/2), β_t = min(1 − ᾱ((t+1)/T)/ᾱ(t/T), 0.999) (Nichol &amp;
         * Dhariwal 2021; diffusers' {@code squaredcos_cap_v2}). Start and end are not used.
         */
        COSINE("cosine");

        private final String id;

        Beta(String id) {
            this.id = id;
        }

        /** The name used in configs and the DSL: {@code linear}, {@code scaled-linear}, {@code cosine}. */
        public String id() {
            return id;
        }

        /** By id; diffusers' names ({@code scaled_linear}, {@code squaredcos_cap_v2}) are accepted too. */
        public static Beta parse(String id) {
            String s = id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (s.equals("squaredcos-cap-v2")) {
                return COSINE;
            }
            for (Beta b : values()) {
                if (b.id.equals(s)) {
                    return b;
                }
            }
            throw BadInputException.unknown("beta schedule", id, Arrays.stream(values()).map(Beta::id).toList(),
                    null);
        }
    }

    private static final double COSINE_OFFSET = 0.008;
    private static final double MAX_BETA = 0.999;

    private final Beta beta;
    private final double betaStart;
    private final double betaEnd;
    private final double[] betas;
    private final double[] alphaBars;
    private final double[] logSigmas;

    private NoiseSchedule(Beta beta, double betaStart, double betaEnd, int trainSteps) {
        if (trainSteps < 2) {
            throw new BadInputException("a noise schedule needs at least 2 timesteps, got " + trainSteps);
        }
        if (beta != Beta.COSINE && !(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
            throw new BadInputException("beta start and end must satisfy 0 < start <= end < 1, got " + betaStart
                    + " and " + betaEnd);
        }
        this.beta = beta;
        // the cosine schedule has no ends of its own: equal schedules compare equal however they were made
        this.betaStart = beta == Beta.COSINE ? 0 : betaStart;
        this.betaEnd = beta == Beta.COSINE ? 0 : betaEnd;
        this.betas = betas(beta, betaStart, betaEnd, trainSteps);
        this.alphaBars = new double[trainSteps];
        this.logSigmas = new double[trainSteps];
        double product = 1;
        for (int t = 0; t < trainSteps; t++) {
            product *= 1 - betas[t];
            alphaBars[t] = product;
            logSigmas[t] = 0.5 * Math.log((1 - product) / product);
        }
    }

    /** β evenly spaced. */
    public static NoiseSchedule linear(double betaStart, double betaEnd, int trainSteps) {
        return new NoiseSchedule(Beta.LINEAR, betaStart, betaEnd, trainSteps);
    }

    /** √β evenly spaced: Stable Diffusion's is {@code scaledLinear(0.00085, 0.012, 1000)}. */
    public static NoiseSchedule scaledLinear(double betaStart, double betaEnd, int trainSteps) {
        return new NoiseSchedule(Beta.SCALED_LINEAR, betaStart, betaEnd, trainSteps);
    }

    /** The cosine schedule of improved DDPM. */
    public static NoiseSchedule cosine(int trainSteps) {
        return new NoiseSchedule(Beta.COSINE, 0, 0, trainSteps);
    }

    /** Any of the three. */
    public static NoiseSchedule of(Beta beta, double betaStart, double betaEnd, int trainSteps) {
        return new NoiseSchedule(beta, betaStart, betaEnd, trainSteps);
    }

    /**
     * From a model config's {@code schedule} object: {@code beta} (linear, scaled-linear, cosine),
     * {@code betaStart}, {@code betaEnd}, {@code trainSteps}; missing keys take Stable Diffusion's values.
     */
    public static NoiseSchedule fromConfig(Map<String, ?> config) {
        List<String> known = List.of("beta", "betaStart", "betaEnd", "trainSteps");
        for (String key : config.keySet()) {
            if (!known.contains(key)) {
                throw BadInputException.unknown("noise schedule setting", key, known, null);
            }
        }
        Object b = config.get("beta");
        Beta beta = Beta.parse(b == null ? "scaled-linear" : b.toString());
        return new NoiseSchedule(beta, number(config, "betaStart", 0.00085), number(config, "betaEnd", 0.012),
                (int) number(config, "trainSteps", 1000));
    }

    private static double number(Map<String, ?> config, String key, double fallback) {
        Object v = config.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new BadInputException("noise schedule setting '" + key + "' must be a number, got '" + v + "'");
        }
    }

    /** What {@link #fromConfig} reads back: the schedule's place in a model's {@code config.json}. */
    public Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta", beta.id());
        if (beta != Beta.COSINE) {
            m.put("betaStart", betaStart);
            m.put("betaEnd", betaEnd);
        }
        m.put("trainSteps", trainSteps());
        return m;
    }

    private static double[] betas(Beta beta, double start, double end, int n) {
        double[] b = new double[n];
        for (int t = 0; t < n; t++) {
            double f = (double) t / (n - 1);
            b[t] = switch (beta) {
                case LINEAR -> start + f * (end - start);
                case SCALED_LINEAR -> {
                    double r = Math.sqrt(start) + f * (Math.sqrt(end) - Math.sqrt(start));
                    yield r * r;
                }
                case COSINE -> Math.min(1 - cosineAlphaBar((t + 1.0) / n) / cosineAlphaBar((double) t / n), MAX_BETA);
            };
        }
        return b;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
        return c * c;
    }

    public Beta beta() {
        return beta;
    }

    /** Number of discrete timesteps the model was trained on (T). */
    public int trainSteps() {
        return betas.length;
    }

    /** β_t. */
    public double betaAt(int t) {
        return betas[check(t)];
    }

    /** ᾱ_t, the fraction of the signal's variance left at timestep t. */
    public double alphaBar(int t) {
        return alphaBars[check(t)];
    }

    /** A copy of ᾱ over all timesteps. */
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    /** σ_t = √((1 − ᾱ_t)/ᾱ_t): the noise level of x_t/√ᾱ_t. */
    public double sigma(int t) {
        return Math.exp(logSigmas[check(t)]);
    }

    /** The smallest noise level, σ_0. */
    public double sigmaMin() {
        return sigma(0);
    }

    /** The largest noise level, σ_{T−1}. */
    public double sigmaMax() {
        return sigma(trainSteps() - 1);
    }

    /** σ at a fractional timestep in [0, T−1], log σ interpolated linearly. */
    public double sigmaAt(double t) {
        if (!(t >= 0 && t <= trainSteps() - 1)) {
            throw new IllegalArgumentException("timestep " + t + " outside [0, " + (trainSteps() - 1) + "]");
        }
        int low = (int) Math.min(Math.floor(t), trainSteps() - 2);
        double w = t - low;
        return Math.exp((1 - w) * logSigmas[low] + w * logSigmas[low + 1]);
    }

    /**
     * The fractional timestep whose σ is {@code sigma} (the inverse of {@link #sigmaAt}); noise levels outside the
     * table are clamped to its ends.
     */
    public double timestep(double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("sigma must be positive, got " + sigma);
        }
        double ls = Math.log(sigma);
        if (ls <= logSigmas[0]) {
            return 0;
        }
        int last = trainSteps() - 1;
        if (ls >= logSigmas[last]) {
            return last;
        }
        // log σ rises with t: the first entry above ls ends the bracket
        int high = Arrays.binarySearch(logSigmas, ls);
        if (high >= 0) {
            return high;
        }
        high = -high - 1;
        int low = high - 1;
        return low + (ls - logSigmas[low]) / (logSigmas[high] - logSigmas[low]);
    }

    /** ᾱ for a noise level: 1/(1 + σ²). */
    public static double alphaBarOf(double sigma) {
        return 1 / (1 + sigma * sigma);
    }

    /**
     * q(x_t | x_0) drawn with the given noise: √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε, one timestep per sample.
     *
     * @param x0        {@code [batch, …]} clean samples
     * @param noise     ε, the same shape
     * @param timesteps {@code [batch]} integer timesteps
     * @return a new array
     */
    public INDArray addNoise(INDArray x0, INDArray noise, INDArray timesteps) {
        return mix(x0, noise, timesteps, false);
    }

    /**
     * The v-prediction target √ᾱ_t·ε − √(1 − ᾱ_t)·x_0 (Salimans &amp; Ho 2022) for the same draw as
     * {@link #addNoise}.
     */
    public INDArray velocity(INDArray x0, INDArray noise, INDArray timesteps) {
        return mix(x0, noise, timesteps, true);
    }

    private INDArray mix(INDArray x0, INDArray noise, INDArray timesteps, boolean velocity) {
        if (!Arrays.equals(x0.shape(), noise.shape())) {
            throw new IllegalArgumentException("x0 " + Arrays.toString(x0.shape()) + " and noise "
                    + Arrays.toString(noise.shape()) + " differ in shape");
        }
        long batch = x0.size(0);
        if (timesteps.length() != batch) {
            throw new IllegalArgumentException("one timestep per sample: " + timesteps.length() + " for " + batch);
        }
        long[] column = new long[x0.rank()];
        Arrays.fill(column, 1);
        column[0] = batch;
        double[] a = new double[(int) batch];
        double[] b = new double[(int) batch];
        for (int i = 0; i < batch; i++) {
            double t = timesteps.getDouble(i);
            if (t != Math.rint(t)) {
                throw new IllegalArgumentException("training timesteps are whole numbers, got " + t);
            }
            double abar = alphaBar((int) t);
            a[i] = velocity ? -Math.sqrt(1 - abar) : Math.sqrt(abar);
            b[i] = velocity ? Math.sqrt(abar) : Math.sqrt(1 - abar);
        }
        INDArray ca = Nd4j.createFromArray(a).castTo(x0.dataType()).reshape(column);
        INDArray cb = Nd4j.createFromArray(b).castTo(x0.dataType()).reshape(column);
        return x0.mul(ca).addi(noise.mul(cb));
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " outside [0, " + (betas.length - 1) + "]");
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseSchedule s && beta == s.beta && Double.compare(betaStart, s.betaStart) == 0
                && Double.compare(betaEnd, s.betaEnd) == 0 && trainSteps() == s.trainSteps();
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(beta, betaStart, betaEnd, trainSteps());
    }

    @Override
    public String toString() {
        return beta == Beta.COSINE ? "cosine(" + trainSteps() + ")"
                : beta.id() + "(" + betaStart + ", " + betaEnd + ", " + trainSteps() + ")";
    }
}
