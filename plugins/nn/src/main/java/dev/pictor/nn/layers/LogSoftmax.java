package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A log-softmax that stays finite: {@code x − max − log Σ exp(x − max)} along one dimension. ND4J M2.1's
 * {@code log_softmax} takes the log of the softmax, which is −∞ (and a loss that multiplies it by a one-hot or a
 * probability NaN) as soon as one logit leads another by about 90 in float — a confident dVAE encoder gets there
 * within forty steps — and it has no gradient along any dimension but the last. The max's own gradient cancels
 * (log-softmax does not change under a shift), so it needs no stop.
 *
 * <pre>{@code
 * SDVariable logProbs = LogSoftmax.apply(g, logits, 2);     // [B, L, vocab]: over the vocabulary
 * }</pre>
 */
public final class LogSoftmax {
    private LogSoftmax() {
    }

    /** Log-probabilities along {@code dimension} (counted from 0: a graph's shapes may be unknown until run). */
    public static SDVariable apply(Graph g, SDVariable x, int dimension) {
        if (dimension < 0) {
            throw new IllegalArgumentException("give the dimension counted from 0, got " + dimension);
        }
        var sd = g.sameDiff();
        SDVariable shifted = x.sub(sd.max(x, true, dimension));
        return shifted.sub(sd.math().log(sd.sum(sd.math().exp(shifted), true, dimension)));
    }
}
