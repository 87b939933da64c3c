package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Batch normalisation of images with fixed statistics, PyTorch's {@code nn.BatchNorm2d} in eval mode:
 * {@code y = (x − running_mean)/√(running_var + eps) · weight + bias} per channel. {@code weight} (ones) and
 * {@code bias} (zeros) are parameters; {@code running_mean} (zeros) and {@code running_var} (ones) are
 * {@linkplain Graph#buffer buffers}, loaded with the checkpoint and never trained.
 *
 * <p>The same form serves training: the statistics stay frozen, as when fine-tuning a pretrained ResNet with
 * small batches (batch statistics of a few images are noise). Training from scratch with batch statistics is not
 * offered; the zoo's models that train here use LayerNorm or GroupNorm.
 *
 * <pre>{@code
 * SDVariable y = new BatchNorm2d(64, 1e-5).apply(g, "visual.bn1", x);
 * }</pre>
 *
 * @param channels normalised channels
 * @param eps      added to the variance
 */
public record BatchNorm2d(long channels, double eps) {

    /** PyTorch's default epsilon, 1e-5. */
    public BatchNorm2d(long channels) {
        this(channels, 1e-5);
    }

    public SDVariable apply(Graph g, String name, SDVariable x) {
        SDVariable mean = g.buffer(Graph.join(name, "running_mean"), Init.zeros(), channels);
        SDVariable variance = g.buffer(Graph.join(name, "running_var"), Init.ones(), channels);
        SDVariable weight = g.param(Graph.join(name, "weight"), Init.ones(), channels);
        SDVariable bias = g.param(Graph.join(name, "bias"), Init.zeros(), channels);
        // One scale and one shift per channel, so the image is touched twice (a multiply and an add), not four times.
        SDVariable scale = weight.mul(g.sameDiff().math().rsqrt(variance.add(eps)));
        SDVariable shift = bias.sub(mean.mul(scale));
        return x.mul(g.perChannel(scale, channels)).add(g.perChannel(shift, channels));
    }
}
