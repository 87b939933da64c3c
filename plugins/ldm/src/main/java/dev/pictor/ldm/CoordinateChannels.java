package dev.pictor.ldm;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two extra input channels holding each position's x and y (CoordConv): the UNet reads where it is. Upstream's
 * UNetModel has no position signal but its convolutions' zero padding. The channels are appended to the latents
 * before the UNet's first convolution, in training and in sampling alike; the UNet itself is upstream's, with
 * {@code in_channels} two larger. {@code coordinate_channels: 2} in a denoiser's config.json
 * ({@code trainLdm coordinates: true}) turns them on; 0 (the default) is upstream's model.
 *
 * <p>Measured: the first shapes-ldm UNet drew the colours, shapes and sizes its prompts asked but put objects in the
 * same places whatever the place words said; retrained with these channels it did no better (place prompts 20%
 * against 16%), so position alone was not what it lacked — the text's "where" has no path to the layout that it
 * learned. They stay for the next step, where a global text vector added to the time embedding needs positions to
 * gate by; the zoo's models do not use them.
 *
 * <pre>{@code
 * INDArray input = CoordinateChannels.append(latents);   // [B, c, h, w] -> [B, c + 2, h, w]
 * }</pre>
 */
public final class CoordinateChannels {
    /** The channels appended: x, then y. */
    public static final int COUNT = 2;

    private CoordinateChannels() {
    }

    /** {@code [1, 2, h, w]}: x then y of each position's centre, from −1 at one edge to 1 at the other. */
    public static INDArray grid(long h, long w) {
        float[] v = new float[(int) (2 * h * w)];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[(int) (y * w + x)] = (float) ((2 * x + 1.0) / w - 1);
                v[(int) (h * w + y * w + x)] = (float) ((2 * y + 1.0) / h - 1);
            }
        }
        return Nd4j.create(v, new long[] {1, 2, h, w}, 'c');
    }

    /** {@code x [B, c, h, w]} with the coordinate channels after its own, float32. */
    public static INDArray append(INDArray x) {
        INDArray grid = grid(x.size(2), x.size(3)).broadcast(x.size(0), COUNT, x.size(2), x.size(3));
        return Nd4j.concat(1, x.castTo(DataType.FLOAT), grid);
    }

    /** The same in a graph: the channels as a constant broadcast over the batch of {@code x [B, c, h, w]}. */
    public static SDVariable append(Graph g, SDVariable x, long h, long w) {
        var sd = g.sameDiff();
        // zero times two of x's channels gives a [B, 2, h, w] of the batch's size to broadcast the grid onto
        SDVariable zeros = x.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all(), SDIndex.all()).mul(0);
        SDVariable coordinates = sd.concat(1, zeros, zeros).add(sd.constant(grid(h, w).castTo(x.dataType())));
        return sd.concat(1, x, coordinates);
    }
}
