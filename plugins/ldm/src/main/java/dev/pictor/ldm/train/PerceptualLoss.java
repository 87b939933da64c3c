package dev.pictor.ldm.train;

import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipImages;
import dev.pictor.clip.ClipModel;
import dev.pictor.nn.Graph;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A perceptual distance between images from a CLIP image tower the project trained (shapes-clip, fashion-clip)
 * standing in for LPIPS's VGG, which no registry here offers: both images through the frozen tower, each output
 * token's feature vector scaled to unit length (as LPIPS normalises channels), the squared distance summed over
 * features and averaged over tokens — one number per image pair. The tower's last layer sees shapes and colours in
 * context, so the decoder is pushed towards what the CLIP model can tell apart rather than towards pixel averages.
 * Images are in [−1, 1] with 1 or 3 channels (one is repeated); they are centre-cropped to the tower's size when
 * larger (Fashion-MNIST's 28 pixels inside the autoencoder's 32) and normalised with CLIP's statistics, inside the
 * graph, so gradients flow to the generated image.
 *
 * <pre>{@code
 * SDVariable d = new PerceptualLoss(clipConfig, clipWeights).apply(g, real, fake, 32);   // [N]; tower frozen
 * }</pre>
 */
public final class PerceptualLoss {
    private final ClipConfig config;
    private final Map<String, INDArray> weights;

    /** @param weights the CLIP model's state (its {@code visual.*} entries are used) */
    public PerceptualLoss(ClipConfig config, Map<String, INDArray> weights) {
        this.config = config;
        this.weights = weights;
    }

    /**
     * Adds the distance between {@code real} and {@code fake} ({@code [N, C, R, R]}) to {@code g}, with the tower's
     * parameters loaded and frozen.
     */
    public SDVariable apply(Graph g, SDVariable real, SDVariable fake, int channels, int side) {
        var sd = g.sameDiff();
        SDVariable both = sd.concat(0, real, fake);
        int size = config.vision().imageSize();
        if (side > size) {
            int o = (side - size) / 2;
            both = sd.stridedSlice(both, new long[] {0, 0, o, o}, new long[] {0, 0, o + size, o + size},
                    new long[] {1, 1, 1, 1}, 0b0011, 0b0011, 0, 0, 0);
        }
        if (channels == 1) {
            both = sd.concat(1, both, both, both);
        }
        float[] scale = new float[3];
        float[] offset = new float[3];
        for (int c = 0; c < 3; c++) {
            // ((x + 1) / 2 − mean) / std, as ClipImages.prepare
            scale[c] = 0.5f / ClipImages.STD[c];
            offset[c] = (0.5f - ClipImages.MEAN[c]) / ClipImages.STD[c];
        }
        SDVariable pixels = both.mul(sd.constant(Nd4j.create(scale, new long[] {1, 3, 1, 1}, 'c')))
                .add(sd.constant(Nd4j.create(offset, new long[] {1, 3, 1, 1}, 'c')));
        java.util.Set<String> before = new java.util.HashSet<>(g.paramNames());
        SDVariable tokens = ClipModel.image(g, config, pixels).tokens();   // [2N, T, W]
        java.util.Set<String> tower = new java.util.HashSet<>(g.paramNames());
        tower.removeAll(before);
        for (String name : tower) {
            INDArray w = weights.get(name);
            if (w == null) {
                throw new IllegalArgumentException("the perceptual CLIP's weights lack " + name);
            }
            sd.getVariable(name).setArray(w.castTo(DataType.FLOAT).dup('c'));
        }
        g.freeze(tower::contains);
        SDVariable unit = tokens.div(sd.math().sqrt(sd.math().square(tokens).sum(true, 2).add(1e-10)));
        SDVariable[] halves = sd.split(unit, 2, 0);
        return sd.math().square(halves[0].sub(halves[1])).sum(2).mean(1);
    }
}
