package dev.pictor.dalle;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.LogSoftmax;
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

    /**
     * The codebook-diversity penalty of wav2vec 2.0 (Baevski et al. 2020, §3.3), which met the same collapse in its
     * Gumbel-softmax quantizer: {@code log K − H(p̄)}, p̄ = softmax(logits) averaged over every cell of the batch —
     * 0 when the batch uses all K codes evenly, log K when it uses one. Not in DALL·E's ELBO: the per-cell KL to the
     * uniform prior spreads each cell's distribution but not the codes the cells pick, and on pictures mostly of
     * one flat background every cell then picks the same few. A scalar.
     */
    public static SDVariable diversityPenalty(Graph g, SDVariable logits, int vocabSize) {
        var sd = g.sameDiff();
        SDVariable logQ = LogSoftmax.apply(g, logits, 1);                        // [N, K, h, w]
        SDVariable mean = sd.mean(sd.math().exp(logQ), 0, 2, 3);                // [K]
        SDVariable entropy = sd.sum(mean.mul(sd.math().log(mean.add(1e-12))), 0).neg();
        return entropy.rsub(Math.log(vocabSize));
    }

    /** {@code softmax((logits + gumbel) / tau)} over the codebook; {@code tau} a scalar (annealed: an input). */
    public static SDVariable relax(Graph g, SDVariable logits, SDVariable gumbel, SDVariable tau) {
        return g.sameDiff().nn().softmax(logits.add(gumbel).div(tau), 1);
    }

    /**
     * The straight-through variant ({@code F.gumbel_softmax(hard=True)}): forward the one-hot of the relaxed
     * sample's argmax, backward the relaxation's gradient. The decoder then only ever reads one code a cell, so it
     * cannot learn to read the small weights a soft sample leaves on the other codes — which is how a soft dVAE
     * trains to good reconstructions while its argmax codes, all the transformer sees, collapse to a few.
     */
    public static SDVariable relaxHard(Graph g, SDVariable logits, SDVariable gumbel, SDVariable tau,
            int vocabSize) {
        var sd = g.sameDiff();
        SDVariable soft = relax(g, logits, gumbel, tau);
        SDVariable hard = sd.oneHot(sd.argmax(soft, 1), vocabSize, 1, 1.0, 0.0, soft.dataType());
        SDVariable jump = new org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient(sd, hard.sub(soft))
                .outputVariable();
        return soft.add(jump);
    }

    /**
     * KL(q ‖ uniform over K) summed over an image's cells, q = softmax(logits): Σ q (log q + log K), from a
     * log-softmax so that no q·log q meets a zero. {@code [N]}.
     */
    public static SDVariable klToUniform(Graph g, SDVariable logits, int vocabSize) {
        var sd = g.sameDiff();
        SDVariable logQ = LogSoftmax.apply(g, logits, 1);   // finite however confident the encoder
        return sd.sum(sd.math().exp(logQ).mul(logQ.add(Math.log(vocabSize))), 1, 2, 3);
    }
}
