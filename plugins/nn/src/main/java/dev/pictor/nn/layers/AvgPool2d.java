package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * Average pooling over non-overlapping {@code kernel × kernel} windows, PyTorch's {@code nn.AvgPool2d(kernel)}
 * (stride = kernel, no padding; a trailing row or column that does not fill a window is dropped, as there).
 *
 * <pre>{@code
 * SDVariable y = new AvgPool2d(2).apply(g, x);   // [N, C, 64, 64] -> [N, C, 32, 32]
 * }</pre>
 *
 * @param kernel window side and stride
 */
public record AvgPool2d(int kernel) {

    public AvgPool2d {
        if (kernel < 1) {
            throw new IllegalArgumentException("a pooling window needs a positive side, not " + kernel);
        }
    }

    public SDVariable apply(Graph g, SDVariable x) {
        if (kernel == 1) {
            return x;
        }
        return g.sameDiff().cnn().avgPooling2d(x, windows(g, kernel));
    }

    /** Non-overlapping {@code kernel × kernel} windows in the graph's layout (shared with {@link MaxPool2d}). */
    static Pooling2DConfig windows(Graph g, int kernel) {
        return Pooling2DConfig.builder().kH(kernel).kW(kernel).sH(kernel).sW(kernel).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).extra(0).isNHWC(g.layout() == Graph.Layout.NHWC).build();
    }
}
