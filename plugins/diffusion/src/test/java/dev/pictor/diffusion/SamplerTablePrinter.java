package dev.pictor.diffusion;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints the sampler table of issue 9's note: the 1-D Wasserstein distance between 16,384 samples and an exact
 * draw of the data, per sampler and step count, for the Gaussian N(0.5, 0.5²) and the two-mode mixture.
 * {@code mvn -pl plugins/diffusion test -Dtest=SamplerTablePrinter -Dpictor.test.exclude=}
 */
@Tag("slow")
class SamplerTablePrinter {
    @Test
    void print() {
        int[] steps = {10, 20, 50, 100, 250, 1000};
        List<Object[]> rows = List.of(new Object[] {"ddpm", Map.of()}, new Object[] {"ddim", Map.of()},
                new Object[] {"euler", Map.of("karras", true)}, new Object[] {"euler-ancestral", Map.of()},
                new Object[] {"heun", Map.of()}, new Object[] {"dpm-solver++", Map.of()},
                new Object[] {"dpm-solver++", Map.of("karras", true)});
        for (MixtureOracle data : List.of(MixtureOracle.gaussian(0.5, 0.5, KnownAnswerTest.SD),
                MixtureOracle.twoModes(KnownAnswerTest.SD))) {
            double[] reference = data.draw(16 * 32 * 32, 5);
            double floor = MixtureOracle.wasserstein(data.draw(16 * 32 * 32, 6), reference);
            System.out.printf(Locale.ROOT, "%n%s (two exact draws: W1 %.4f)%n", data.weights.length == 1 ? "gaussian"
                    : "mixture", floor);
            for (Object[] row : rows) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-32s", row[0] + " " + row[1]));
                for (int n : steps) {
                    @SuppressWarnings("unchecked")
                    double[] x = KnownAnswerTest.sample(data, Samplers.make((String) row[0], (Map<String, ?>) row[1]),
                            n, 11);
                    line.append(String.format(Locale.ROOT, " %5d: %.4f", n, MixtureOracle.wasserstein(x, reference)));
                }
                System.out.println(line);
            }
        }
    }
}
