package dev.pictor.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.pictor.api.diffusion.DiffusionRequest;
import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.GuidanceLoop;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.SamplingHooks;
import dev.pictor.api.spi.DiffusionSampler;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every sampler, driven by the exact denoiser of a known data distribution through the real guidance loop,
 * must reproduce that distribution: 16 samples of 32×32 independent elements (16,384 draws) a run, compared
 * with an exact draw by the 1-D Wasserstein distance W1 (two exact draws differ by W1 ≈ 0.008–0.009).
 *
 * <p>Step counts are where each method has converged to within the bound (the full table is printed by
 * {@link SamplerTablePrinter}). Deterministic samplers converge to the exact probability-flow map of the pure
 * noise they start from, which carries the prior's mismatch (the data's mean is not 0 at σ_max = 14.6), a shift
 * of μ·s/√(s² + σ_max²) = 0.017 for the Gaussian; {@link #deterministicSamplersFollowTheExactFlow} checks that
 * map sample by sample.
 */
class KnownAnswerTest {
    static final NoiseSchedule SD = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);

    static Stream<Arguments> samplers() {
        return Stream.of(
                Arguments.of("ddpm", Map.of(), 250),
                Arguments.of("ddim", Map.of(), 100),
                Arguments.of("ddim", Map.of("eta", 1.0, "spacing", "linspace"), 250),
                Arguments.of("euler", Map.of(), 100),
                Arguments.of("euler", Map.of("karras", true), 50),
                Arguments.of("euler-ancestral", Map.of(), 250),
                Arguments.of("heun", Map.of(), 100),
                Arguments.of("dpm-solver++", Map.of(), 100),
                Arguments.of("dpm-solver++", Map.of("karras", true), 20),
                Arguments.of("dpm-solver++", Map.of("spacing", "leading", "offset", 1), 100));
    }

    static double[] sample(MixtureOracle oracle, DiffusionSampler sampler, int steps, long seed) {
        return GuidanceLoop.run(oracle, sampler, DiffusionRequest.builder(16).seed(seed).steps(steps).build(),
                SamplingHooks.none()).castTo(DataType.DOUBLE).data().asDouble();
    }

    @ParameterizedTest(name = "{0} {1} {2} steps")
    @MethodSource("samplers")
    void reproducesAGaussian(String name, Map<String, ?> settings, int steps) {
        MixtureOracle data = MixtureOracle.gaussian(0.5, 0.5, SD);
        double[] x = sample(data, Samplers.make(name, settings), steps, 11);
        double w1 = MixtureOracle.wasserstein(x, data.draw(x.length, 5));
        System.out.printf(Locale.ROOT, "gaussian %-16s %-30s %4d: mean %.4f std %.4f W1 %.4f%n", name, settings,
                steps, mean(x), std(x), w1);
        assertThat(mean(x)).isCloseTo(0.5, offset(0.025));
        assertThat(std(x)).isCloseTo(0.5, offset(0.02));
        assertThat(w1).isLessThan(0.03);
    }

    @ParameterizedTest(name = "{0} {1} {2} steps")
    @MethodSource("samplers")
    void reproducesAMixture(String name, Map<String, ?> settings, int steps) {
        MixtureOracle data = MixtureOracle.twoModes(SD);
        double[] x = sample(data, Samplers.make(name, settings), steps, 11);
        double w1 = MixtureOracle.wasserstein(x, data.draw(x.length, 5));
        double right = Arrays.stream(x).filter(v -> v > 0).count() / (double) x.length;
        System.out.printf(Locale.ROOT, "mixture  %-16s %-30s %4d: mean %.4f std %.4f P(x>0) %.4f W1 %.4f%n", name,
                settings, steps, mean(x), std(x), right, w1);
        assertThat(right).as("weight of the right-hand mode").isCloseTo(0.7, offset(0.02));
        assertThat(w1).isLessThan(0.035);
    }

    /**
     * For Gaussian data the probability-flow ODE has a closed-form solution: x₀ = μ + (x_T − μ)·s/√(s² + σ_T²)
     * for the start x_T = σ_T·ε. DDIM (η = 0) at 1000 steps and DPM-Solver++ at 20 Karras steps must land on it
     * sample by sample.
     */
    @Test
    void deterministicSamplersFollowTheExactFlow() {
        MixtureOracle data = MixtureOracle.gaussian(0.5, 0.5, SD);
        double sigmaT = SD.sigmaMax();
        // the loop's first draw is the start's ε: row b from seed 11 + b
        double[] eps = GaussianNoise.forSeeds(11, 16).next(new long[] {16, 1, 32, 32}).castTo(DataType.DOUBLE).data()
                .asDouble();
        double shrink = 0.5 / Math.sqrt(0.25 + sigmaT * sigmaT);
        double[] exact = Arrays.stream(eps).map(e -> 0.5 + (sigmaT * e - 0.5) * shrink).toArray();
        for (Object[] c : new Object[][] {{"ddim", Map.of(), 1000, 1.5e-2}, {"dpm-solver++", Map.of("karras", true), 20,
                4e-2}, {"heun", Map.of("karras", true), 50, 3e-3}}) {
            @SuppressWarnings("unchecked")
            double[] x = sample(data, Samplers.make((String) c[0], (Map<String, ?>) c[1]), (int) c[2], 11);
            double worst = 0;
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - exact[i]));
            }
            System.out.printf(Locale.ROOT, "exact flow: %s %s %d steps, largest gap %.2e, mean gap %.2e%n", c[0], c[1],
                    c[2], worst, meanGap(x, exact));
            assertThat(worst).as("%s: largest gap to the exact flow", c[0]).isLessThan((double) c[3]);
        }
    }

    @Test
    void dpmSolverAt20StepsLandsNearDdpmAt1000() {
        MixtureOracle data = MixtureOracle.twoModes(SD);
        double[] ddpm = sample(data, Samplers.make("ddpm"), 1000, 21);
        double[] dpm = sample(data, Samplers.make("dpm-solver++", Map.of("karras", true)), 20, 22);
        double w1 = MixtureOracle.wasserstein(ddpm, dpm);
        System.out.printf(Locale.ROOT, "W1(dpm-solver++ 20 karras, ddpm 1000) = %.4f%n", w1);
        assertThat(w1).isLessThan(0.04);
    }

    static double meanGap(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    static double mean(double[] x) {
        return Arrays.stream(x).average().orElseThrow();
    }

    static double std(double[] x) {
        double m = mean(x);
        return Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1));
    }
}
