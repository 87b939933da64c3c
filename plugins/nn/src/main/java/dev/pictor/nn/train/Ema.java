package dev.pictor.nn.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving average of weights: after each step {@code shadow ← decay·shadow + (1 − decay)·param}.
 * Generative models are sampled with the averaged weights, which are smoother than the last step's.
 *
 * <pre>{@code
 * Ema ema = new Ema(0.999);
 * ema.update(graph.state());            // after every optimiser step
 * graph.load(ema.shadow(), true);        // to sample with the averaged weights
 * }</pre>
 */
public final class Ema {
    private final double decay;
    private final Map<String, INDArray> shadow = new LinkedHashMap<>();

    public Ema(double decay) {
        if (decay < 0 || decay >= 1) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.decay = decay;
    }

    public double decay() {
        return decay;
    }

    /** Folds the current parameters in; the first call copies them. */
    public void update(Map<String, INDArray> params) {
        params.forEach((k, p) -> {
            INDArray s = shadow.get(k);
            if (s == null) {
                shadow.put(k, p.dup());
            } else {
                s.muli(decay).addi(p.mul(1 - decay));
            }
        });
    }

    /** The averaged weights. */
    public Map<String, INDArray> shadow() {
        return shadow;
    }

    /** Restores averaged weights saved from {@link #shadow()}. */
    public void load(Map<String, INDArray> saved) {
        shadow.clear();
        saved.forEach((k, a) -> shadow.put(k, a.dup()));
    }
}
