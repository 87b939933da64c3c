package dev.pictor.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import dev.pictor.api.diffusion.DiffusionRequest;
import dev.pictor.api.diffusion.GuidanceLoop;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.SamplingHooks;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.CancelledException;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.spi.DiffusionSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The guidance loop's own duties: guidance, seeding, img2img, inpainting, progress, cancellation, NaN checks. */
class GuidanceLoopTest {
    static final NoiseSchedule SD = KnownAnswerTest.SD;

    static MixtureOracle small() {
        return new MixtureOracle(new double[] {0.3, 0.7}, new double[] {-1, 1}, new double[] {0.25, 0.25}, SD,
                Prediction.EPSILON, 1, 4, 4);
    }

    /** A condition whose row b shifts the data by {@code shifts[b]}, {@code width} wide. */
    static Condition shift(int width, double... shifts) {
        INDArray c = Nd4j.zeros(DataType.FLOAT, shifts.length, 1, width);
        for (int b = 0; b < shifts.length; b++) {
            c.putScalar(new long[] {b, 0, 0}, shifts[b]);
        }
        return Condition.of(c);
    }

    static INDArray run(DiffusionDenoiser d, DiffusionSampler s, DiffusionRequest r) {
        return GuidanceLoop.run(d, s, r, SamplingHooks.none());
    }

    @Test
    void guidanceOneIsTheConditionalModelAloneExactly() {
        MixtureOracle withNegative = small();
        MixtureOracle without = small();
        INDArray a = run(withNegative, Samplers.make("euler-ancestral"), DiffusionRequest.builder(2).seed(3).steps(12)
                .guidance(1).condition(shift(1, 2, 2)).negative(shift(1, 0, 0)).build());
        INDArray b = run(without, Samplers.make("euler-ancestral"), DiffusionRequest.builder(2).seed(3).steps(12)
                .condition(shift(1, 2, 2)).build());
        assertSameBits(a, b);
        assertThat(withNegative.rowsSeen).as("one branch only").isEqualTo(2 * 12);
    }

    @Test
    void guidanceZeroIsTheNegativeBranchAloneExactly() {
        INDArray a = run(small(), Samplers.make("ddim"), DiffusionRequest.builder(2).seed(3).steps(12).guidance(0)
                .condition(shift(1, 2, 2)).negative(shift(1, -1, -1)).build());
        INDArray b = run(small(), Samplers.make("ddim"), DiffusionRequest.builder(2).seed(3).steps(12)
                .condition(shift(1, -1, -1)).build());
        assertSameBits(a, b);
    }

    @Test
    void bothBranchesGoInOneBatchedCall() {
        MixtureOracle stacked = small();
        MixtureOracle apart = small();
        INDArray one = run(stacked, Samplers.make("dpm-solver++"), DiffusionRequest.builder(2).seed(5).steps(10)
                .guidance(3).condition(shift(1, 1, 0.5)).negative(shift(1, 0, 0)).build());
        // a negative context of another width cannot be stacked: the loop falls back to two calls a step
        INDArray two = run(apart, Samplers.make("dpm-solver++"), DiffusionRequest.builder(2).seed(5).steps(10)
                .guidance(3).condition(shift(1, 1, 0.5)).negative(shift(2, 0, 0)).build());
        assertThat(stacked.calls).isEqualTo(10);
        assertThat(stacked.rowsSeen).isEqualTo(2 * 2 * 10);
        assertThat(apart.calls).isEqualTo(20);
        assertThat(one.sub(two).amaxNumber().doubleValue()).isLessThan(1e-5);
        // guidance 3 pushes the samples past the conditional shift: the mean moves by ≈ 3 × shift
        double mean0 = one.get(NDArrayIndex.point(0)).meanNumber().doubleValue();
        assertThat(mean0).isGreaterThan(2.0);
    }

    @Test
    void oneConditionRowServesTheWholeBatch() {
        INDArray a = run(small(), Samplers.make("heun"), DiffusionRequest.builder(3).seed(1).steps(8)
                .condition(shift(1, 1)).build());
        INDArray b = run(small(), Samplers.make("heun"), DiffusionRequest.builder(3).seed(1).steps(8)
                .condition(shift(1, 1, 1, 1)).build());
        assertSameBits(a, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddpm", "ddim", "euler", "euler-ancestral", "heun", "dpm-solver++"})
    void sameSeedSameBitsAndEachSampleHasItsOwnSeed(String name) {
        DiffusionSampler s = Samplers.make(name);
        INDArray a = run(small(), s, DiffusionRequest.builder(4).seed(7).steps(15).build());
        INDArray again = run(small(), s, DiffusionRequest.builder(4).seed(7).steps(15).build());
        INDArray third = run(small(), s, DiffusionRequest.builder(1).seed(9).steps(15).build());
        assertSameBits(a, again);
        assertSameBits(a.get(NDArrayIndex.interval(2, 3)), third);
        assertThat(a.get(NDArrayIndex.point(0))).isNotEqualTo(a.get(NDArrayIndex.point(1)));
    }

    @Test
    void givenStartingNoiseReplacesTheSeedsDraw() {
        org.nd4j.linalg.api.ndarray.INDArray eps = dev.pictor.api.diffusion.GaussianNoise.forSeeds(7, 2)
                .next(new long[] {2, 1, 4, 4});
        INDArray seeded = run(small(), Samplers.make("ddim"), DiffusionRequest.builder(2).seed(7).steps(10).build());
        INDArray given = run(small(), Samplers.make("ddim"), DiffusionRequest.builder(2).seed(99).steps(10)
                .noise(eps).build());
        assertSameBits(seeded, given);
        INDArray other = run(small(), Samplers.make("ddim"), DiffusionRequest.builder(2).seed(99).steps(10)
                .noise(eps.neg()).build());
        assertThat(maxGap(other, seeded)).isGreaterThan(0.1);
    }

    @Test
    void equivalentFormulationsAgree() {
        // DDIM with eta 0 is Euler; DDPM, DDIM with eta 1 and Euler ancestral add the same noise in the same order
        DiffusionRequest r = DiffusionRequest.builder(4).seed(2).steps(30).build();
        assertThat(maxGap(run(small(), Samplers.make("ddim"), r), run(small(), Samplers.make("euler"), r)))
                .isLessThan(1e-5);
        INDArray ddpm = run(small(), Samplers.make("ddpm"), r);
        assertThat(maxGap(ddpm, run(small(), Samplers.make("ddim", Map.of("eta", 1.0)), r))).isLessThan(1e-4);
        assertThat(maxGap(ddpm, run(small(), Samplers.make("euler-ancestral"), r))).isLessThan(1e-4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"V", "X0"})
    void everyPredictionTypeGivesTheSameSamples(String type) {
        DiffusionRequest r = DiffusionRequest.builder(2).seed(4).steps(20).build();
        INDArray eps = run(small(), Samplers.make("dpm-solver++"), r);
        INDArray other = run(small().predicting(Prediction.valueOf(type)), Samplers.make("dpm-solver++"), r);
        assertThat(maxGap(eps, other)).isLessThan(1e-4);
    }

    @Test
    void img2imgRunsTheTailOfTheTrajectory() {
        INDArray init = Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4);
        MixtureOracle d = small();
        assertSameBits(run(d, Samplers.make("euler"), DiffusionRequest.builder(2).steps(20).init(init, 0).build()), init);
        assertThat(d.calls).isZero();
        run(d, Samplers.make("euler"), DiffusionRequest.builder(2).steps(20).init(init, 0.5).build());
        assertThat(d.calls).isEqualTo(10);
    }

    @Test
    void inpaintingKeepsTheUnmaskedSamplesExactly() {
        INDArray known = Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4).muli(7);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4);
        mask.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all()).assign(1);
        for (String name : List.of("ddpm", "euler", "dpm-solver++", "heun")) {
            INDArray x = run(small(), Samplers.make(name), DiffusionRequest.builder(2).seed(1).steps(10)
                    .inpaint(mask, known).build());
            INDArray kept = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 4),
                    NDArrayIndex.all());
            assertSameBits(kept, known.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 4),
                    NDArrayIndex.all()));
            double generated = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2),
                    NDArrayIndex.all()).amaxNumber().doubleValue();
            assertThat(generated).as("generated where the mask is 1, near the data's modes ±1").isLessThan(3);
        }
    }

    @Test
    void reportsEveryStepAndStopsWhenCancelled() {
        List<Long> done = new ArrayList<>();
        Cancellation cancel = new Cancellation();
        MixtureOracle d = small();
        SamplingHooks hooks = SamplingHooks.none().withCancellation(cancel).withProgress((stage, n, total) -> {
            done.add(n);
            assertThat(stage).isEqualTo("sampling");
            assertThat(total).isEqualTo(10);
            if (n == 3) {
                cancel.cancel();
            }
        });
        assertThatThrownBy(() -> GuidanceLoop.run(d, Samplers.make("euler"), DiffusionRequest.builder(1).steps(10)
                .build(), hooks)).isInstanceOf(CancelledException.class);
        assertThat(done).containsExactly(1L, 2L, 3L);
        assertThat(d.calls).isEqualTo(3);
        List<Integer> previews = new ArrayList<>();
        GuidanceLoop.run(small(), Samplers.make("euler"), DiffusionRequest.builder(1).steps(5).build(),
                SamplingHooks.none().withPreview((step, of, sigma, x0) -> previews.add(step)));
        assertThat(previews).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void nanIsAnErrorNamingTheStep() {
        MixtureOracle inner = small();
        DiffusionDenoiser diverging = new DiffusionDenoiser() {
            int calls;

            public String name() {
                return "diverging";
            }

            public Prediction prediction() {
                return Prediction.EPSILON;
            }

            public NoiseSchedule schedule() {
                return SD;
            }

            public long[] sampleShape() {
                return inner.sampleShape();
            }

            public INDArray predict(INDArray x, INDArray t, Condition c) {
                INDArray out = inner.predict(x, t, c);
                return ++calls == 4 ? out.putScalar(0, Float.NaN) : out;
            }
        };
        assertThatThrownBy(() -> run(diverging, Samplers.make("euler"), DiffusionRequest.builder(1).steps(10).build()))
                .isInstanceOf(PictorException.class).hasMessageStartingWith("step 4 of 10 ")
                .hasMessageContaining("NaN");
    }

    @Test
    void badRequestsAreOneLineEach() {
        assertThatThrownBy(() -> DiffusionRequest.builder(1).steps(0).build()).isInstanceOf(BadInputException.class)
                .hasMessage("steps must be at least 1, got 0");
        assertThatThrownBy(() -> run(small(), Samplers.make("euler"), DiffusionRequest.builder(1).steps(1001).build()))
                .isInstanceOf(BadInputException.class).hasMessageContaining("steps must lie in [1, 1000]");
        assertThatThrownBy(() -> DiffusionRequest.builder(1).guidance(-1).build())
                .hasMessageContaining("guidance must be a number >= 0");
        assertThatThrownBy(() -> DiffusionRequest.builder(1).init(Nd4j.zeros(1, 1, 4, 4), 1.5).build())
                .hasMessageContaining("strength must lie in [0, 1]");
        assertThatThrownBy(() -> DiffusionRequest.builder(1).inpaint(Nd4j.valueArrayOf(new long[] {1, 1, 4, 4}, 0.5),
                Nd4j.zeros(1, 1, 4, 4)).build()).hasMessageContaining("the mask must be binary");
        assertThatThrownBy(() -> run(small(), Samplers.make("euler"), DiffusionRequest.builder(1)
                .inpaint(Nd4j.ones(1, 1, 3, 4), Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4)).build()))
                .hasMessageContaining("the mask is [1, 1, 3, 4] but the samples are [1, 1, 4, 4]");
        assertThatThrownBy(() -> run(small(), Samplers.make("euler"), DiffusionRequest.builder(1)
                .init(Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 4), 0.5).build()))
                .hasMessageContaining("the initial samples are [1, 3, 4, 4]");
    }

    /** Equal bit for bit (INDArray.equals allows a tolerance). */
    @Test
    void guidanceRescaleZeroIsPlainGuidanceAndRescaleChangesOnlyGuidedRuns() {
        DiffusionRequest.Builder plain = DiffusionRequest.builder(2).seed(4).steps(10).guidance(5)
                .condition(shift(1, 2, -1)).negative(shift(1, 0, 0));
        INDArray a = run(small(), Samplers.make("dpm-solver++"), plain.build());
        INDArray zero = run(small(), Samplers.make("dpm-solver++"), plain.guidanceRescale(0).build());
        INDArray rescaled = run(small(), Samplers.make("dpm-solver++"), plain.guidanceRescale(0.7).build());
        assertSameBits(a, zero);
        assertThat(maxGap(a, rescaled)).as("rescale 0.7 at guidance 5").isGreaterThan(1e-3);
        // without a second branch there is nothing to rescale
        DiffusionRequest.Builder single = DiffusionRequest.builder(2).seed(4).steps(10).condition(shift(1, 2, -1));
        assertSameBits(run(small(), Samplers.make("dpm-solver++"), single.build()),
                run(small(), Samplers.make("dpm-solver++"), single.guidanceRescale(1).build()));
    }

    static void assertSameBits(INDArray a, INDArray b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        assertThat(a.dup().data().asFloat()).isEqualTo(b.dup().data().asFloat());
    }

    static double maxGap(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
