package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.nn.Graph;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CoordinateChannelsTest {
    @Test
    void theGridRunsFromEdgeToEdgeAndTheGraphAppendsWhatTheArrayDoes() {
        INDArray grid = CoordinateChannels.grid(4, 8);
        assertThat(grid.shape()).containsExactly(1, 2, 4, 8);
        assertThat(grid.getDouble(0, 0, 0, 0)).isEqualTo(-7 / 8.0);
        assertThat(grid.getDouble(0, 0, 3, 7)).isEqualTo(7 / 8.0);   // x along the row
        assertThat(grid.getDouble(0, 1, 3, 0)).isEqualTo(3 / 4.0);   // y down the column
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 5, 4, 8);
        INDArray appended = CoordinateChannels.append(x);
        assertThat(appended.shape()).containsExactly(3, 7, 4, 8);
        assertThat(appended.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 5))).isEqualTo(x);
        assertThat(appended.get(NDArrayIndex.point(2), NDArrayIndex.interval(5, 7))).isEqualTo(grid.slice(0));
        Graph g = new Graph(DataType.FLOAT, 0);
        var out = CoordinateChannels.append(g, g.input("x", -1, 5, 4, 8), 4, 8);
        assertThat(g.output(Map.of("x", x), out)).isEqualTo(appended);
    }

    @Test
    void aDenoiserWithCoordinatesRunsTheUNetOnTheLatentsAndTheGrid() {
        Map<String, INDArray> f = Fixtures.tensors(UNetDenoiserTest.class, "ldm_unet");
        Map<String, INDArray> weights = Fixtures.under(f, "param.");
        NoiseSchedule schedule = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);
        // the fixture's UNet reads four channels: two of latents and the two coordinates
        INDArray latents = f.get("input.x").castTo(DataType.FLOAT).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))
                .dup();
        INDArray t = f.get("input.timesteps").castTo(DataType.FLOAT);
        Condition c = Condition.of(f.get("input.context").castTo(DataType.FLOAT));
        try (UNetDenoiser with = new UNetDenoiser(new DenoiserConfig(UNetTest.SMALL, schedule, Prediction.EPSILON, 8,
                2), weights); UNetDenoiser plain = new UNetDenoiser(UNetTest.SMALL, weights, schedule,
                Prediction.EPSILON, 8)) {
            assertThat(with.sampleShape()).containsExactly(2, 8, 8);
            assertThat(with.predict(latents, t, c)).isEqualTo(plain.predict(CoordinateChannels.append(latents), t, c));
        }
        assertThatThrownBy(() -> new DenoiserConfig(UNetTest.SMALL, schedule, Prediction.EPSILON, 8, 3))
                .isInstanceOf(BadInputException.class).hasMessageContaining("coordinate_channels");
        DenoiserConfig d = new DenoiserConfig(UNetTest.SMALL, schedule, Prediction.EPSILON, 8, 2);
        assertThat(DenoiserConfig.parse(d.toJson(), "test")).isEqualTo(d);
        assertThat(DenoiserConfig.parse(new DenoiserConfig(UNetTest.SMALL, schedule, Prediction.EPSILON, 8).toJson(),
                "test").coordinateChannels()).isZero();
    }
}
