package dev.pictor.ldm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.ldm.UNet;
import dev.pictor.ldm.UNetConfig;
import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Batches;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DiffusionObjectiveTest {
    static final UNetConfig SMALL = new UNetConfig(4, 4, 32, 1, List.of(1, 2), List.of(1, 2), 2, -1, 1, 24);
    static final NoiseSchedule SD = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);

    /**
     * L_simple through upstream's own UNet output: latents chosen so that z_t is the fixture's input, so the UNet's
     * prediction must be the fixture's ε and the loss the mean squared difference from the noise.
     */
    @Test
    void lSimpleIsTheMeanSquaredErrorOfUpstreamsPrediction() {
        lossAgainstUpstreamsOutput(Prediction.EPSILON);
    }

    /** The v target is upstream's {@code get_v}: √ᾱ·ε − √(1 − ᾱ)·z₀. */
    @Test
    void vPredictionLearnsUpstreamsVelocity() {
        lossAgainstUpstreamsOutput(Prediction.V);
    }

    private static void lossAgainstUpstreamsOutput(Prediction prediction) {
        Map<String, INDArray> f = Fixtures.tensors(DiffusionObjectiveTest.class, "ldm_unet");
        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN);
        SDVariable loss = DiffusionObjective.build(g, new UNet(SMALL), new long[] {4, 8, 8}, 5, 24, prediction);
        g.load(Fixtures.under(f, "param."), true);
        INDArray t = f.get("input.timesteps");
        INDArray zt = f.get("input.x").castTo(DataType.DOUBLE);
        INDArray noise = Nd4j.randn(DataType.DOUBLE, 2, 4, 8, 8);
        double[] a = new double[2];
        double[] s = new double[2];
        INDArray z0 = zt.dup();
        INDArray target = noise.dup();
        for (int i = 0; i < 2; i++) {
            double alphaBar = SD.alphaBar(t.getInt(i));
            a[i] = Math.sqrt(alphaBar);
            s[i] = Math.sqrt(1 - alphaBar);
            z0.slice(i).assign(zt.slice(i).sub(noise.slice(i).mul(s[i])).div(a[i]));
            if (prediction == Prediction.V) {
                target.slice(i).assign(noise.slice(i).mul(a[i]).sub(z0.slice(i).mul(s[i])));
            }
        }
        Map<String, INDArray> in = Map.of(DiffusionObjective.LATENTS, z0, DiffusionObjective.NOISE, noise,
                DiffusionObjective.TIMESTEPS, t, DiffusionObjective.SIGNAL, Nd4j.createFromArray(a),
                DiffusionObjective.NOISE_LEVEL, Nd4j.createFromArray(s), DiffusionObjective.CONTEXT,
                f.get("input.context").castTo(DataType.DOUBLE));
        double expected = target.sub(f.get("output.eps").castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        expected = expected * expected / noise.length();
        double actual = g.output(in, loss).getDouble(0);
        assertThat(actual).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(1e-6));
    }

    @Test
    void batchesDrawNoiseTimestepsAndDropoutDeterministicallyPerStep() {
        int n = 400;
        Batches data = step -> Map.of(DiffusionObjective.LATENTS, Nd4j.ones(DataType.FLOAT, n, 4, 2, 2),
                DiffusionObjective.CONTEXT, Nd4j.ones(DataType.FLOAT, n, 3, 5));
        INDArray empty = Nd4j.zeros(DataType.FLOAT, 3, 5);
        Batches batches = DiffusionObjective.batches(data, SD, empty, 0.25, 7);
        Map<String, INDArray> b = batches.batch(3);
        assertThat(batches.batch(3)).isEqualTo(b);
        assertThat(batches.batch(4).get(DiffusionObjective.NOISE)).isNotEqualTo(b.get(DiffusionObjective.NOISE));
        INDArray t = b.get(DiffusionObjective.TIMESTEPS);
        assertThat(t.minNumber().longValue()).isGreaterThanOrEqualTo(0);
        assertThat(t.maxNumber().longValue()).isLessThan(1000);
        INDArray a = b.get(DiffusionObjective.SIGNAL);
        INDArray s = b.get(DiffusionObjective.NOISE_LEVEL);
        for (int i = 0; i < n; i++) {
            assertThat(a.getDouble(i)).isCloseTo(Math.sqrt(SD.alphaBar(t.getInt(i))), org.assertj.core.data.Offset
                    .offset(1e-6));
            assertThat(a.getDouble(i) * a.getDouble(i) + s.getDouble(i) * s.getDouble(i)).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-5));
        }
        long dropped = 0;
        for (int i = 0; i < n; i++) {
            dropped += b.get(DiffusionObjective.CONTEXT).slice(i).sumNumber().doubleValue() == 0 ? 1 : 0;
        }
        assertThat(dropped).isBetween(70L, 130L);   // 100 expected; 25% of 400
        INDArray noise = b.get(DiffusionObjective.NOISE);
        assertThat(noise.meanNumber().doubleValue()).isCloseTo(0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(noise.stdNumber().doubleValue()).isCloseTo(1, org.assertj.core.data.Offset.offset(0.05));
        assertThatThrownBy(() -> DiffusionObjective.batches(data, SD, empty, 1.5, 7))
                .isInstanceOf(BadInputException.class);
    }

    /** A timestep power of 2 draws t with density ∝ t: mean ≈ 2T/3 instead of T/2, still deterministic per step. */
    @Test
    void aTimestepPowerAboveOneFavoursTheNoisiestSteps() {
        int n = 4000;
        Batches data = step -> Map.of(DiffusionObjective.LATENTS, Nd4j.ones(DataType.FLOAT, n, 1, 1, 1),
                DiffusionObjective.CONTEXT, Nd4j.ones(DataType.FLOAT, n, 1, 2));
        INDArray empty = Nd4j.zeros(DataType.FLOAT, 1, 2);
        Batches uniform = DiffusionObjective.batches(data, SD, empty, 0, 7);
        Batches high = DiffusionObjective.batches(data, SD, empty, 0, 7, 2);
        double uniformMean = uniform.batch(0).get(DiffusionObjective.TIMESTEPS).castTo(DataType.DOUBLE).meanNumber()
                .doubleValue();
        INDArray t = high.batch(0).get(DiffusionObjective.TIMESTEPS);
        assertThat(uniformMean).isCloseTo(499.5, org.assertj.core.data.Offset.offset(15.0));
        assertThat(t.castTo(DataType.DOUBLE).meanNumber().doubleValue()).isCloseTo(666.3,
                org.assertj.core.data.Offset.offset(15.0));
        assertThat(t.minNumber().longValue()).isGreaterThanOrEqualTo(0);
        assertThat(t.maxNumber().longValue()).isLessThan(1000);
        assertThat(high.batch(0)).isEqualTo(high.batch(0));
        assertThatThrownBy(() -> DiffusionObjective.batches(data, SD, empty, 0, 7, 0.5))
                .isInstanceOf(BadInputException.class).hasMessageContaining("timestep power");
    }

    /** Condition dropout replaces a row's vector with the empty prompt's together with its context. */
    @Test
    void aDroppedRowTakesTheEmptyPromptsVectorWithItsContext() {
        int n = 400;
        Batches data = step -> Map.of(DiffusionObjective.LATENTS, Nd4j.ones(DataType.FLOAT, n, 1, 1, 1),
                DiffusionObjective.CONTEXT, Nd4j.ones(DataType.FLOAT, n, 1, 2), DiffusionObjective.VECTOR,
                Nd4j.ones(DataType.FLOAT, n, 3));
        Map<String, INDArray> b = DiffusionObjective.batches(data, SD, Nd4j.zeros(DataType.FLOAT, 1, 2),
                Nd4j.zeros(DataType.FLOAT, 3), 0.25, 7, 1).batch(0);
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            boolean context = b.get(DiffusionObjective.CONTEXT).slice(i).sumNumber().doubleValue() == 0;
            boolean vector = b.get(DiffusionObjective.VECTOR).getRow(i).sumNumber().doubleValue() == 0;
            assertThat(vector).as("row " + i).isEqualTo(context);
            dropped += context ? 1 : 0;
        }
        assertThat(dropped).isBetween(70, 130);
    }
}
