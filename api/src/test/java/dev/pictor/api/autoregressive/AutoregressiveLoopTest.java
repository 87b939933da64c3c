package dev.pictor.api.autoregressive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.CancelledException;
import dev.pictor.api.run.ProgressListener;
import dev.pictor.api.spi.AutoregressiveDenoiser;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DecodingSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decoding a Markov chain with known transition probabilities: the sampled transition frequencies must follow the
 * temperature-, top-k- and top-p-transformed distributions (a χ² test at p = 0.001, fixed seed), and tokens the
 * processors remove must never appear.
 */
class AutoregressiveLoopTest {
    static final int V = 6;
    /** Row s: P(next | s). Distinct probabilities, so top-k and top-p sets are unambiguous. */
    static final double[][] P = {
            {0.40, 0.25, 0.15, 0.10, 0.06, 0.04},
            {0.05, 0.30, 0.02, 0.33, 0.18, 0.12},
            {0.22, 0.08, 0.31, 0.01, 0.27, 0.11},
            {0.12, 0.17, 0.09, 0.26, 0.03, 0.33},
            {0.07, 0.45, 0.13, 0.19, 0.10, 0.06},
            {0.28, 0.02, 0.21, 0.14, 0.24, 0.11}};

    /** The chain as a next-token model: the logits after a sequence are log P[its last token]. */
    static final class Markov implements AutoregressiveDenoiser {
        int feeds;
        int sessions;
        int maxLength = 1000;
        boolean nanAtFifth;

        public String name() {
            return "markov";
        }

        public int vocabularySize() {
            return V;
        }

        public int maxLength() {
            return maxLength;
        }

        public DecodingSession open(int batch, Condition condition) {
            sessions++;
            return new DecodingSession() {
                int length;

                public INDArray feed(INDArray tokens) {
                    feeds++;
                    length += (int) tokens.size(1);
                    float[][] logits = new float[batch][V];
                    for (int b = 0; b < batch; b++) {
                        int last = tokens.getInt(b, (int) tokens.size(1) - 1);
                        for (int j = 0; j < V; j++) {
                            logits[b][j] = (float) Math.log(P[last][j]);
                        }
                        if (nanAtFifth && feeds == 5) {
                            logits[b][0] = Float.NaN;
                        }
                    }
                    return Nd4j.createFromArray(logits);
                }

                public int length() {
                    return length;
                }

                public void close() {
                    sessions--;
                }
            };
        }
    }

    /** The distribution the processors should leave, computed here from their definitions. */
    static double[] expected(double[] p, double temperature, int topK, double topP, int from, int to) {
        double[] q = new double[V];
        double sum = 0;
        for (int j = from; j < to; j++) {
            q[j] = Math.pow(p[j], 1 / temperature);
            sum += q[j];
        }
        for (int j = 0; j < V; j++) {
            q[j] /= sum;
        }
        Integer[] order = new Integer[V];
        for (int j = 0; j < V; j++) {
            order[j] = j;
        }
        double[] finalQ = q;
        Arrays.sort(order, (a, b) -> Double.compare(finalQ[b], finalQ[a]));
        int keep = 0;
        while (keep < V && q[order[keep]] > 0) {
            keep++;
        }
        if (topK > 0) {
            keep = Math.min(keep, topK);
        }
        double mass = 0;
        for (int k = 0; k < keep; k++) {
            mass += q[order[k]];
        }
        double cumulative = 0;
        int pKeep = keep;
        for (int k = 0; k < keep; k++) {
            cumulative += q[order[k]] / mass;
            if (cumulative >= topP) {
                pKeep = k + 1;
                break;
            }
        }
        double[] out = new double[V];
        double kept = 0;
        for (int k = 0; k < pKeep; k++) {
            kept += q[order[k]];
        }
        for (int k = 0; k < pKeep; k++) {
            out[order[k]] = q[order[k]] / kept;
        }
        return out;
    }

    static INDArray prefix(int batch, int start) {
        long[][] p = new long[batch][1];
        for (long[] row : p) {
            row[0] = start;
        }
        return Nd4j.createFromArray(p);
    }

    @ParameterizedTest(name = "temperature {0}, topK {1}, topP {2}, allowed [{3}, {4})")
    @CsvSource({"1, 0, 1, 0, 6", "0.5, 0, 1, 0, 6", "2, 0, 1, 0, 6", "1, 3, 1, 0, 6", "1, 0, 0.7, 0, 6",
            "0.8, 4, 0.8, 0, 6", "1, 0, 1, 2, 5", "1.5, 2, 1, 1, 6"})
    void transitionFrequenciesFollowTheProcessedDistribution(double temperature, int topK, double topP, int from,
            int to) {
        int batch = 400;
        int tokens = 100;
        long[][] out = AutoregressiveLoop.run(new Markov(), new LogitsSampler(temperature, topK, topP),
                DecodingRequest.builder(prefix(batch, from), tokens).seed(42)
                        .allowed(position -> new TokenRange(from, to)).build(), ProgressListener.NONE,
                Cancellation.never());
        long[][] counts = new long[V][V];
        for (long[] row : out) {
            long previous = from;
            for (long t : row) {
                counts[(int) previous][(int) t]++;
                previous = t;
            }
        }
        double chi2 = 0;
        int df = 0;
        for (int s = 0; s < V; s++) {
            long n = Arrays.stream(counts[s]).sum();
            if (n == 0) {
                continue;
            }
            double[] q = expected(P[s], temperature, topK, topP, from, to);
            int support = 0;
            for (int j = 0; j < V; j++) {
                if (q[j] == 0) {
                    assertThat(counts[s][j]).as("token %d after %d is removed by the processors", j, s).isZero();
                } else {
                    double e = n * q[j];
                    chi2 += (counts[s][j] - e) * (counts[s][j] - e) / e;
                    support++;
                }
            }
            df += support - 1;
        }
        double critical = chiSquareCritical(df);
        System.out.printf(Locale.ROOT, "temperature %.1f topK %d topP %.1f [%d,%d): chi2 %.1f, df %d, critical %.1f%n",
                temperature, topK, topP, from, to, chi2, df, critical);
        assertThat(chi2).isLessThan(critical);
    }

    /** The χ² value exceeded with probability 0.001 (Wilson–Hilferty; within 1% for df ≥ 3). */
    static double chiSquareCritical(int df) {
        double z = 3.0902;
        double a = 2.0 / (9 * df);
        return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
    }

    @Test
    void temperatureZeroIsGreedy() {
        long[][] out = AutoregressiveLoop.run(new Markov(), new LogitsSampler(0, 0, 1),
                DecodingRequest.builder(prefix(3, 1), 6).seed(1).build(), ProgressListener.NONE, Cancellation.never());
        // argmax chain from 1: 3 (0.33), 5 (0.33), 0 (0.28), 0 …
        for (long[] row : out) {
            assertThat(row).containsExactly(3, 5, 0, 0, 0, 0);
        }
    }

    @Test
    void guidanceMixesTheTwoBranchesLogits() {
        LogitsSampler s = new LogitsSampler(1, 0, 1);
        // guidance 0 keeps only the negative branch: the same tokens as decoding from the negative prefix alone
        long[][] fromNegative = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(3, 2), 20)
                .seed(5).build(), ProgressListener.NONE, Cancellation.never());
        long[][] guidedZero = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(3, 1), 20)
                .seed(5).guidance(0, prefix(3, 2)).build(), ProgressListener.NONE, Cancellation.never());
        assertThat(guidedZero).isDeepEqualTo(fromNegative);
        // guidance 1 is plain decoding, and needs no negative
        long[][] plain = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(3, 1), 20).seed(5)
                .build(), ProgressListener.NONE, Cancellation.never());
        long[][] guidedOne = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(3, 1), 20)
                .seed(5).guidance(1, null).build(), ProgressListener.NONE, Cancellation.never());
        assertThat(guidedOne).isDeepEqualTo(plain);
        // greedy with guidance 3: argmax of u + 3 (c − u), both branches fed the chosen token
        Markov m = new Markov();
        long[][] greedy = AutoregressiveLoop.run(m, new LogitsSampler(0, 0, 1), DecodingRequest.builder(prefix(1, 1),
                1).guidance(3, prefix(1, 2)).build(), ProgressListener.NONE, Cancellation.never());
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) {
            double c = (float) Math.log(P[1][v]);
            double u = (float) Math.log(P[2][v]);
            if (u + 3 * (c - u) > bestLogit) {
                best = v;
                bestLogit = u + 3 * (c - u);
            }
        }
        assertThat(greedy[0][0]).isEqualTo(best);
        assertThatThrownBy(() -> DecodingRequest.builder(prefix(2, 1), 4).guidance(2, prefix(1, 2)).build())
                .isInstanceOf(dev.pictor.api.BadInputException.class).hasMessageContaining("negative prefix");
    }

    @Test
    void sameSeedSameTokensAndEachRowHasItsOwnSeed() {
        LogitsSampler s = new LogitsSampler(1, 0, 1);
        long[][] a = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(4, 0), 30).seed(9).build(),
                ProgressListener.NONE, Cancellation.never());
        long[][] again = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(4, 0), 30).seed(9)
                .build(), ProgressListener.NONE, Cancellation.never());
        long[][] third = AutoregressiveLoop.run(new Markov(), s, DecodingRequest.builder(prefix(1, 0), 30).seed(11)
                .build(), ProgressListener.NONE, Cancellation.never());
        assertThat(a).isDeepEqualTo(again);
        assertThat(a[2]).containsExactly(third[0]);
        assertThat(a[0]).isNotEqualTo(a[1]);
    }

    @Test
    void feedsThePrefixOnceThenOneTokenAStepAndClosesTheSession() {
        Markov m = new Markov();
        List<Long> progress = new ArrayList<>();
        INDArray prefix = Nd4j.createFromArray(new long[][] {{0, 1, 2}, {3, 4, 5}});
        AutoregressiveLoop.run(m, new LogitsSampler(1, 0, 1), DecodingRequest.builder(prefix, 5).build(),
                (stage, done, total) -> progress.add(done), Cancellation.never());
        assertThat(m.feeds).isEqualTo(5);
        assertThat(m.sessions).isZero();
        assertThat(progress).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void cancellationNanAndLengthAreChecked() {
        Cancellation c = new Cancellation();
        Markov m = new Markov();
        assertThatThrownBy(() -> AutoregressiveLoop.run(m, new LogitsSampler(1, 0, 1),
                DecodingRequest.builder(prefix(1, 0), 10).build(), (stage, done, total) -> {
                    if (done == 3) {
                        c.cancel();
                    }
                }, c)).isInstanceOf(CancelledException.class);
        assertThat(m.feeds).isEqualTo(3);
        assertThat(m.sessions).as("the session is closed when cancelled").isZero();
        Markov diverging = new Markov();
        diverging.nanAtFifth = true;
        assertThatThrownBy(() -> AutoregressiveLoop.run(diverging, new LogitsSampler(1, 0, 1),
                DecodingRequest.builder(prefix(1, 0), 10).build(), ProgressListener.NONE, Cancellation.never()))
                .isInstanceOf(PictorException.class).hasMessageContaining("position 5");
        Markov short8 = new Markov();
        short8.maxLength = 8;
        assertThatThrownBy(() -> AutoregressiveLoop.run(short8, new LogitsSampler(1, 0, 1),
                DecodingRequest.builder(prefix(1, 0), 8).build(), ProgressListener.NONE, Cancellation.never()))
                .isInstanceOf(BadInputException.class).hasMessageContaining("exceed the 8 positions");
        assertThatThrownBy(() -> new LogitsSampler(1, 0, 0)).hasMessageContaining("topP must lie in (0, 1]");
        assertThatThrownBy(() -> new LogitsSampler(-1, 0, 1)).hasMessageContaining("temperature must be >= 0");
    }

    @Test
    void samplerDrawsOnlyFromItsStream() {
        float[] logits = {0, 1, 2, 3};
        LogitsSampler s = new LogitsSampler(1, 0, 1);
        int a = s.choose(logits, 0, 4, new SplittableRandom(5));
        int b = s.choose(logits, 0, 4, new SplittableRandom(5));
        assertThat(a).isEqualTo(b);
        assertThat(Nd4j.createFromArray(logits).dataType()).isEqualTo(DataType.FLOAT);
    }
}
