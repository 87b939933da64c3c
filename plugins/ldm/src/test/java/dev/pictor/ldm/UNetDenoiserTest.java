package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.api.testing.Tolerance;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class UNetDenoiserTest {
    @Test
    void predictsUpstreamsNoiseAndRefusesWhatItCannotTake() {
        Map<String, INDArray> f = Fixtures.tensors(UNetDenoiserTest.class, "ldm_unet");
        try (UNetDenoiser unet = new UNetDenoiser(UNetTest.SMALL, Fixtures.under(f, "param."),
                NoiseSchedule.scaledLinear(0.00085, 0.012, 1000), Prediction.EPSILON, 8)) {
            INDArray x = f.get("input.x").castTo(DataType.FLOAT);
            INDArray eps = unet.predict(x, f.get("input.timesteps").castTo(DataType.FLOAT),
                    Condition.of(f.get("input.context").castTo(DataType.FLOAT)));
            Tolerance.assertClose32(eps, f.get("output.eps"), "eps");
            assertThatThrownBy(() -> unet.predict(x, Nd4j.createFromArray(1f, 2f), Condition.none()))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("empty prompt");
            assertThatThrownBy(() -> unet.predict(Nd4j.zeros(DataType.FLOAT, 2, 4, 16, 16),
                    Nd4j.createFromArray(1f, 2f), Condition.of(f.get("input.context"))))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("[batch, 4, 8, 8]");
            assertThatThrownBy(() -> unet.predict(x, Nd4j.createFromArray(1f, 2f),
                    Condition.of(Nd4j.zeros(DataType.FLOAT, 2, 5, 7))))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("24");
        }
        assertThatThrownBy(() -> new UNetDenoiser(UNetTest.SMALL, Map.of(), NoiseSchedule.cosine(1000),
                Prediction.EPSILON, 7)).isInstanceOf(BadInputException.class).hasMessageContaining("halve");
    }
}
