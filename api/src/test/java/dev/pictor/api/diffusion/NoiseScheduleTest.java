package dev.pictor.api.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pictor.api.BadInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NoiseScheduleTest {
    static final NoiseSchedule SD = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);

    @Test
    void stableDiffusionsEnds() {
        assertThat(SD.alphaBar(0)).isCloseTo(1 - 0.00085, within(1e-15));
        assertThat(SD.alphaBar(999)).isCloseTo(0.0046601, within(1e-7));
        assertThat(SD.sigmaMax()).isCloseTo(14.6146, within(1e-4));
        assertThat(SD.sigmaMin()).isCloseTo(Math.sqrt(0.00085 / (1 - 0.00085)), within(1e-15));
    }

    @Test
    void timestepAndSigmaAreInverses() {
        for (double t : new double[] {0, 0.25, 1, 17.5, 500, 998.9, 999}) {
            assertThat(SD.timestep(SD.sigmaAt(t))).isCloseTo(t, within(1e-9));
        }
        assertThat(SD.timestep(1e-6)).isZero();
        assertThat(SD.timestep(1e6)).isEqualTo(999);
        assertThat(SD.sigmaAt(500)).isCloseTo(SD.sigma(500), within(1e-12));
    }

    @Test
    void addNoiseIsQOfXtGivenX0InClosedForm() {
        INDArray x0 = Nd4j.createFromArray(new float[][] {{1, -2}, {0.5f, 3}});
        INDArray eps = Nd4j.createFromArray(new float[][] {{0.1f, 0.2f}, {-1, 2}});
        INDArray t = Nd4j.createFromArray(10f, 900f);
        INDArray xt = SD.addNoise(x0, eps, t);
        for (int b = 0; b < 2; b++) {
            double a = SD.alphaBar(b == 0 ? 10 : 900);
            for (int j = 0; j < 2; j++) {
                assertThat(xt.getDouble(b, j)).isCloseTo(Math.sqrt(a) * x0.getDouble(b, j)
                        + Math.sqrt(1 - a) * eps.getDouble(b, j), within(1e-6));
                double v = Math.sqrt(a) * eps.getDouble(b, j) - Math.sqrt(1 - a) * x0.getDouble(b, j);
                assertThat(SD.velocity(x0, eps, t).getDouble(b, j)).isCloseTo(v, within(1e-6));
            }
        }
        assertThat(xt.dataType()).isEqualTo(DataType.FLOAT);
        assertThatThrownBy(() -> SD.addNoise(x0, eps, Nd4j.createFromArray(1.5f, 2f)))
                .hasMessageContaining("whole numbers");
    }

    @Test
    void configRoundTrip() {
        for (NoiseSchedule s : new NoiseSchedule[] {SD, NoiseSchedule.linear(1e-4, 0.02, 500), NoiseSchedule.cosine(
                1000)}) {
            assertThat(NoiseSchedule.fromConfig(s.toConfig())).isEqualTo(s);
        }
        assertThat(NoiseSchedule.fromConfig(Map.of())).isEqualTo(SD);
        assertThat(NoiseSchedule.fromConfig(Map.of("beta", "squaredcos_cap_v2")).beta())
                .isEqualTo(NoiseSchedule.Beta.COSINE);
        assertThatThrownBy(() -> NoiseSchedule.fromConfig(Map.of("beta", "cosin")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("did you mean 'cosine'?");
        assertThatThrownBy(() -> NoiseSchedule.fromConfig(Map.of("betaStrat", 0.1)))
                .hasMessageContaining("did you mean 'betaStart'?");
        assertThatThrownBy(() -> NoiseSchedule.linear(0.5, 0.1, 1000)).hasMessageContaining("0 < start <= end < 1");
    }

    @Test
    void cosineScheduleIsClipped() {
        NoiseSchedule c = NoiseSchedule.cosine(1000);
        assertThat(c.betaAt(999)).isEqualTo(0.999);
        assertThat(c.alphaBar(999)).isLessThan(1e-6);
    }
}
