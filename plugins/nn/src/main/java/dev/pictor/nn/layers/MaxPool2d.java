package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Max pooling over non-overlapping {@code kernel × kernel} windows, PyTorch's {@code nn.MaxPool2d(kernel)}
 * (stride = kernel, no padding; a trailing row or column that does not fill a window is dropped, as there); the
 * gradient goes to each window's largest input.
 *
 * <pre>{@code
 * SDVariable y = new MaxPool2d(2).apply(g, x);   // [N, C, 64, 64] -> [N, C, 32, 32]
 * }</pre>
 *
 * @param kernel window side and stride
 */
public record MaxPool2d(int kernel) {

    public MaxPool2d {
        if (kernel < 1) {
            throw new IllegalArgumentException("a pooling window needs a positive side, not " + kernel);
        }
    }

    public SDVariable apply(Graph g, SDVariable x) {
        if (kernel == 1) {
            return x;
        }
        return g.sameDiff().cnn().maxPooling2d(x, AvgPool2d.windows(g, kernel));
    }
}
