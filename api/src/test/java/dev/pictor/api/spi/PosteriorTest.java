package dev.pictor.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pictor.api.diffusion.GaussianNoise;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PosteriorTest {
    @Test
    void sampleKlAndClamp() {
        INDArray mean = Nd4j.createFromArray(new float[] {0.5f, -1f}).reshape(1, 2, 1, 1);
        INDArray logVar = Nd4j.createFromArray(new float[] {0f, 100f}).reshape(1, 2, 1, 1);
        ContinuousQuantizer.Posterior p = new ContinuousQuantizer.Posterior(mean, logVar);
        assertThat(p.logVariance().getDouble(0, 1, 0, 0)).isEqualTo(20.0);   // clamped
        INDArray a = p.sample(GaussianNoise.forSeeds(3, 1));
        INDArray b = p.sample(GaussianNoise.forSeeds(3, 1));
        assertThat(a.data().asFloat()).isEqualTo(b.data().asFloat());
        INDArray eps = GaussianNoise.forSeeds(3, 1).next(new long[] {1, 2, 1, 1});
        assertThat(a.getDouble(0, 0, 0, 0)).isCloseTo(0.5 + eps.getDouble(0, 0, 0, 0), within(1e-6));
        // KL of N(0.5, 1) is 0.125; of N(-1, e^20): 0.5·(1 + e^20 − 1 − 20)
        assertThat(p.kl().getDouble(0)).isCloseTo(0.125 + 0.5 * (1 + Math.exp(20) - 1 - 20), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(new ContinuousQuantizer.Posterior(Nd4j.zeros(DataType.FLOAT, 1, 3), Nd4j.zeros(DataType.FLOAT, 1,
                3)).kl().getDouble(0)).isZero();
    }
}
