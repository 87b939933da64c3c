package dev.pictor.nn.train;

import java.nio.FloatBuffer;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_}: when the L2 norm of all gradients
 * together exceeds {@code maxNorm}, every gradient is scaled by {@code maxNorm / (norm + 1e-6)}.
 *
 * <pre>{@code
 * double norm = GradientClipping.clipByGlobalNorm(gradients, 1.0);   // the norm before clipping
 * }</pre>
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** Scales {@code grads} in place if needed; returns their global norm before clipping. */
    public static double clipByGlobalNorm(Map<String, INDArray> grads, double maxNorm) {
        double sum = 0;
        for (INDArray g : grads.values()) {
            if (Dense.floats(g)) {
                // A loop over the buffer: one ND4J op per tensor costs more than the arithmetic (130 tensors).
                FloatBuffer b = Dense.of(g);
                for (int i = 0, n = b.capacity(); i < n; i++) {
                    double x = b.get(i);
                    sum += x * x;
                }
            } else {
                double n = g.norm2Number().doubleValue();
                sum += n * n;
            }
        }
        double norm = Math.sqrt(sum);
        double coefficient = maxNorm / (norm + 1e-6);
        if (maxNorm > 0 && coefficient < 1) {
            float c = (float) coefficient;
            for (INDArray g : grads.values()) {
                if (Dense.floats(g)) {
                    FloatBuffer b = Dense.of(g);
                    for (int i = 0, n = b.capacity(); i < n; i++) {
                        b.put(i, b.get(i) * c);
                    }
                } else {
                    g.muli(coefficient);
                }
            }
        }
        return norm;
    }
}
