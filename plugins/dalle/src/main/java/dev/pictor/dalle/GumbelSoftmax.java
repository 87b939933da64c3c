package dev.pictor.dalle;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The Gumbel-softmax relaxation (Jang et al. 2017; Maddison et al. 2017) that lets a dVAE train through its choice of
 * codes: each cell's code, a draw from softmax(logits), is replaced by {@code softmax((logits + g) / τ)} with
 * {@code g = −log(−log u)}, u uniform — differentiable, and one-hot as τ → 0 (DALL·E anneals τ from 1 towards 1/16).
 * Also the evidence lower bound's KL term against the uniform prior over the K codes.
 * Logits are {@code [N, K, h, w]}: the codebook along dimension 1.
 *
 * <pre>{@code
 * SDVariable q = GumbelSoftmax.relax(g, logits, gumbel, tau);    // what the decoder reads
 * SDVariable kl = GumbelSoftmax.klToUniform(g, logits);          // [N]
 * }</pre>
 */
public final class GumbelSoftmax {
    private GumbelSoftmax() {
    }

    /** {@code softmax((logits + gumbel) / tau)} over the codebook; {@code tau} a scalar (annealed: an input). */
    public static SDVariable relax(Graph g, SDVariable logits, SDVariable gumbel, SDVariable tau) {
        return g.sameDiff().nn().softmax(logits.add(gumbel).div(tau), 1);
    }

    /**
     * KL(q ‖ uniform over K) summed over an image's cells, q = softmax(logits): Σ q (log q + log K), from a
     * log-softmax so that no q·log q meets a zero. {@code [N]}.
     */
    public static SDVariable klToUniform(Graph g, SDVariable logits, int vocabSize) {
        var sd = g.sameDiff();
        SDVariable logQ = logSoftmax(g, logits, 1);
        return sd.sum(sd.math().exp(logQ).mul(logQ.add(Math.log(vocabSize))), 1, 2, 3);
    }

    /**
     * {@code x − max − log Σ exp(x − max)} along {@code dimension}. Written out because ND4J M2.1's log_softmax
     * takes the log of the softmax — −∞ once a logit leads by ~90 (the dVAE's encoder gets there in forty steps,
     * and the KL turns NaN) — and has no gradient along any dimension but the last. The max's own gradient
     * cancels (log-softmax does not change under a shift), so it needs no stop.
     */
    static SDVariable logSoftmax(Graph g, SDVariable x, int dimension) {
        var sd = g.sameDiff();
        SDVariable shifted = x.sub(sd.max(x, true, dimension));
        return shifted.sub(sd.math().log(sd.sum(sd.math().exp(shifted), true, dimension)));
    }
}
