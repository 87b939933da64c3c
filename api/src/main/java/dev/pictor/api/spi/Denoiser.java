package dev.pictor.api.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The network a {@link Sampler} calls at each step: predicts noise (or v, or x0) for a diffusion state, or
 * next-token logits for an autoregressive one, given the step and a condition.
 *
 * <p><b>Contract.</b> {@code state} is {@code [batch, …]} (latents, or token ids for autoregressive
 * denoisers); {@code steps} is a {@code [batch]} array of timesteps or positions; the result is a new FLOAT
 * array owned by the caller whose meaning {@link #prediction()} names: for diffusion it has the state's
 * shape, for logits it is {@code [batch, vocabulary]}. Arguments stay the caller's and are not modified.
 *
 * <p><b>Threads.</b> Safe to call from one thread at a time unless the implementation says more (a network
 * may keep per-call state such as a key/value cache); samplers call it from their own thread.
 *
 * <pre>{@code
 * INDArray eps = unet.predict(latents, Nd4j.createFromArray(999L, 999L), Condition.of(context));
 * }</pre>
 */
public interface Denoiser extends Component {

    /** What {@link #predict} returns. */
    enum Prediction {
        /** The noise added to x0. */
        EPSILON,
        /** v = alpha_t * eps - sigma_t * x0. */
        V,
        /** The clean sample itself. */
        X0,
        /** Unnormalised next-token scores. */
        LOGITS
    }

    /** What this network predicts. */
    Prediction prediction();

    /** One network evaluation. */
    INDArray predict(INDArray state, INDArray steps, Condition condition);
}
