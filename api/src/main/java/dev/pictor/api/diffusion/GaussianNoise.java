package dev.pictor.api.diffusion;

import dev.pictor.api.run.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Standard normal noise for a batch, one independent stream per sample: row b of every draw comes from seed
 * {@code seeds[b]} alone. So the third image of a {@code --count 4} run equals the single image of a run with
 * that image's seed, whatever else is in the batch, and nothing depends on ND4J's global generator or on the
 * thread count.
 *
 * <pre>{@code
 * GaussianNoise noise = GaussianNoise.forSeeds(7, 4);     // seeds 7, 8, 9, 10
 * INDArray x = noise.next(new long[] {4, 3, 32, 32});     // FLOAT, N(0, 1)
 * }</pre>
 */
public final class GaussianNoise {
    private final SplittableRandom[] streams;

    private GaussianNoise(long[] seeds) {
        streams = new SplittableRandom[seeds.length];
        for (int b = 0; b < seeds.length; b++) {
            streams[b] = new SplittableRandom(Seeds.mix(seeds[b]));
        }
    }

    /** Rows seeded {@code seed, seed + 1, …}. */
    public static GaussianNoise forSeeds(long seed, int rows) {
        long[] s = new long[rows];
        for (int b = 0; b < rows; b++) {
            s[b] = seed + b;
        }
        return new GaussianNoise(s);
    }

    /** One row per given seed. */
    public static GaussianNoise of(long... seeds) {
        return new GaussianNoise(seeds.clone());
    }

    /** Number of rows (the batch). */
    public int rows() {
        return streams.length;
    }

    /** The next FLOAT draw of {@code shape}, whose first dimension is {@link #rows()}. */
    public INDArray next(long[] shape) {
        if (shape.length == 0 || shape[0] != streams.length) {
            throw new IllegalArgumentException("noise for " + streams.length + " rows asked for shape "
                    + Arrays.toString(shape));
        }
        long per = 1;
        for (int i = 1; i < shape.length; i++) {
            per *= shape[i];
        }
        float[] v = new float[Math.toIntExact(per * streams.length)];
        for (int b = 0; b < streams.length; b++) {
            SplittableRandom r = streams[b];
            int base = (int) (b * per);
            for (int i = 0; i < per; i++) {
                v[base + i] = (float) Seeds.gaussian(r);
            }
        }
        return Nd4j.create(v, shape, 'c');
    }
}
