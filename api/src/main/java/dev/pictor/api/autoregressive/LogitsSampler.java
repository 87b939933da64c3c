package dev.pictor.api.autoregressive;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.TokenSampler;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The standard next-token sampler: the allowed range, then the logits processors in Hugging Face's order —
 * temperature (logits / T), top-k (the k most probable), top-p (the smallest set of most probable tokens whose
 * probability reaches p; Holtzman et al. 2020) — then one categorical draw. Temperature 0 is greedy (argmax,
 * the lowest id on ties). Registered as the token sampler {@code categorical}.
 *
 * <pre>{@code
 * TokenSampler s = new LogitsSampler(0.9, 50, 0.95);
 * int id = s.choose(logits, 0, logits.length, new SplittableRandom(7));
 * }</pre>
 */
public final class LogitsSampler implements TokenSampler {
    private final double temperature;
    private final int topK;
    private final double topP;

    /**
     * @param temperature ≥ 0; 1 leaves the distribution as it is, 0 is greedy
     * @param topK        keep the k most probable tokens; 0 keeps all
     * @param topP        in (0, 1]; 1 keeps all
     */
    public LogitsSampler(double temperature, int topK, double topP) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new BadInputException("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new BadInputException("topK must be >= 0 (0 = no limit), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new BadInputException("topP must lie in (0, 1] (1 = no limit), got " + topP);
        }
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
    }

    @Override
    public String name() {
        return "categorical";
    }

    @Override
    public int choose(float[] logits, int from, int to, SplittableRandom random) {
        double[] p = distribution(logits, from, to);
        if (temperature == 0) {
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                if (p[i] > p[best]) {
                    best = i;
                }
            }
            return from + best;
        }
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return from + i;
                }
            }
        }
        return from + last;   // u within rounding of 1
    }

    /**
     * The distribution this sampler draws from over {@code [from, to)}, after every processor (for greedy: the
     * temperature-1 distribution, of which the argmax is taken). Index i is token {@code from + i}.
     */
    public double[] distribution(float[] logits, int from, int to) {
        if (from < 0 || to > logits.length || to <= from) {
            throw new IllegalArgumentException("allowed range [" + from + ", " + to + ") outside " + logits.length
                    + " logits");
        }
        int n = to - from;
        double t = temperature == 0 ? 1 : temperature;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[from + i] / t);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[from + i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        if (temperature == 0 || (topK == 0 || topK >= n) && topP >= 1) {
            return p;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double[] probs = p;
        // most probable first; ties by id so the kept set is repeatable
        Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int keep = topK == 0 ? n : Math.min(topK, n);
        if (topP < 1) {
            // top-p sees the distribution renormalised over the top-k set, as Hugging Face's warpers chain
            double mass = 0;
            for (int k = 0; k < keep; k++) {
                mass += p[order[k]];
            }
            double cumulative = 0;
            for (int k = 0; k < keep; k++) {
                cumulative += p[order[k]] / mass;
                if (cumulative >= topP) {
                    keep = k + 1;
                    break;
                }
            }
        }
        double kept = 0;
        double[] out = new double[n];
        for (int k = 0; k < keep; k++) {
            out[order[k]] = p[order[k]];
            kept += p[order[k]];
        }
        for (int i = 0; i < n; i++) {
            out[i] /= kept;
        }
        return out;
    }

    @Override
    public String toString() {
        return "categorical(temperature " + temperature + ", topK " + topK + ", topP " + topP + ")";
    }
}
