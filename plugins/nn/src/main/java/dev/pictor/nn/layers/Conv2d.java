package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * 2-D convolution over images in the graph's layout ({@code [N, C, H, W]} by default), PyTorch's {@code nn.Conv2d} with square kernels, stride and
 * zero padding: {@code weight [out, in, k, k]}, {@code bias [out]}, initialised U(±1/√(in·k·k)). The weight stays
 * in PyTorch's OIYX layout (read directly for inference, permuted for training), and padding is explicit, not
 * SAME, so strided convolutions pad like PyTorch.
 *
 * <pre>{@code
 * SDVariable y = new Conv2d(64, 64, 3, 1, 1, true).apply(g, "conv1", x);
 * }</pre>
 *
 * @param in      input channels
 * @param out     output channels
 * @param kernel  kernel side
 * @param stride  stride
 * @param padding zero padding on each side
 * @param bias    whether there is a bias
 */
public record Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {

    /** A stride-1 convolution that keeps the size (padding kernel/2), with bias. */
    public static Conv2d same(long in, long out, int kernel) {
        return new Conv2d(in, out, kernel, 1, kernel / 2, true);
    }

    public SDVariable apply(Graph g, String name, SDVariable x) {
        Init init = Init.uniform(1 / Math.sqrt(in * kernel * kernel));
        return apply(g, Graph.join(name, "weight"), init, Graph.join(name, "bias"), init, x);
    }

    /**
     * The same convolution with its parameters under other names and initialisations — for code whose
     * convolutions are not {@code nn.Conv2d}, e.g. OpenAI's dVAE ({@code w}, {@code b}; N(0, 1/(in·k·k)), zeros).
     */
    public SDVariable apply(Graph g, String weightName, Init weightInit, String biasName, Init biasInit,
            SDVariable x) {
        SDVariable w = g.param(weightName, weightInit, out, in, kernel, kernel);
        if (g.fusedTraining() && g.layout() == Graph.Layout.NCHW && dev.pictor.nn.onednn.OneDnn.available()) {
            // one op on oneDNN's convolution kernels forward and backward, reading PyTorch's OIHW weight as it is
            SDVariable b = bias ? g.param(biasName, biasInit, out) : null;
            return new dev.pictor.nn.fused.Conv2dOp(g.sameDiff(), x, w, b,
                    new dev.pictor.nn.fused.Conv2dTraining(in, out, kernel, stride, padding, bias)).outputVariable();
        }
        // Inference reads PyTorch's OIYX weight directly (oneDNN: 3.96 ms against 5.85 ms through YXIO for a
        // 64→64 3×3 conv on 8×64×32×32). Training cannot: conv2d's backward rejects OIYX in M2.1, so the graph
        // permutes the weight to ND4J's [kH, kW, in, out] there.
        // In NHWC graphs inference uses [out, kH, kW, in] (OYXI), the layout oneDNN's NHWC kernels want.
        boolean infer = g.mode() == Graph.Mode.INFER;
        boolean nhwc = g.layout() == Graph.Layout.NHWC;
        SDVariable weight = !infer ? g.sameDiff().permute(w, 2, 3, 1, 0)
                : nhwc ? g.sameDiff().permute(w, 0, 2, 3, 1) : w;
        WeightsFormat format = !infer ? WeightsFormat.YXIO : nhwc ? WeightsFormat.OYXI : WeightsFormat.OIYX;
        Conv2DConfig config = Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding)
                .pW(padding).dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat(nhwc ? "NHWC" : "NCHW")
                .weightsFormat(format).build();
        return bias
                ? g.sameDiff().cnn().conv2d(x, weight, g.param(biasName, biasInit, out), config)
                : g.sameDiff().cnn().conv2d(x, weight, config);
    }
}
