package dev.pictor.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.Trajectory;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schedule tables against {@code schedules.json}, which {@code src/test/python/make_schedule_fixtures.py}
 * computes from the published formulas in float64 with numpy.
 */
class SchedulesTest {
    static JsonNode fixtures;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = SchedulesTest.class.getResourceAsStream("schedules.json")) {
            fixtures = new ObjectMapper().readTree(in);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "scaled-linear", "cosine"})
    void alphaBarAndSigmaMatchThePublishedFormulas(String kind) {
        JsonNode f = fixtures.get("schedules").get(kind);
        NoiseSchedule s = NoiseSchedule.of(NoiseSchedule.Beta.parse(kind), f.get("betaStart").asDouble(),
                f.get("betaEnd").asDouble(), 1000);
        double[] abar = doubles(f.get("alphaBar"));
        double[] sigma = doubles(f.get("sigma"));
        for (int t = 0; t < 1000; t++) {
            assertThat(s.alphaBar(t)).as("alphaBar[%d]", t).isCloseTo(abar[t], withinRelative(1e-12));
            assertThat(s.sigma(t)).as("sigma[%d]", t).isCloseTo(sigma[t], withinRelative(1e-12));
        }
    }

    @ParameterizedTest
    @CsvSource({"linspace,20", "linspace,50", "leading,20", "leading,50", "trailing,20", "trailing,50"})
    void spacingsChooseThePublishedTimesteps(String spacing, int steps) {
        double[] expected = doubles(fixtures.get("spacings").get(spacing + "-" + steps));
        assertThat(TimestepSpacing.parse(spacing).timesteps(1000, steps, 0)).containsExactly(expected);
    }

    @Test
    void leadingWithStableDiffusionsOffset() {
        assertThat(TimestepSpacing.LEADING.timesteps(1000, 50, 1))
                .containsExactly(doubles(fixtures.get("spacings").get("leading-50-offset1")));
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 50})
    void karrasNoiseLevels(int steps) {
        double[] expected = doubles(fixtures.get("karras").get("scaled-linear-" + steps));
        NoiseSchedule sd = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);
        Trajectory tr = Samplers.make("euler", Map.of("karras", true)).trajectory(sd, steps);
        for (int i = 0; i < steps; i++) {
            assertThat(tr.sigma(i)).isCloseTo(expected[i], withinRelative(1e-12));
            assertThat(sd.sigmaAt(tr.timestep(i))).as("timestep of sigma %d maps back", i)
                    .isCloseTo(expected[i], withinRelative(1e-12));
        }
        assertThat(tr.sigma(steps)).isZero();
    }

    @Test
    void trajectoriesFollowTheSpacing() {
        NoiseSchedule sd = NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);
        Trajectory tr = Samplers.make("ddim", Map.of("spacing", "leading", "offset", 1)).trajectory(sd, 50);
        assertThat(tr.timesteps()).containsExactly(doubles(fixtures.get("spacings").get("leading-50-offset1")));
        assertThat(tr.sigma(0)).isEqualTo(sd.sigma(981));
        assertThat(Samplers.make("euler").trajectory(sd, 20).sigma(0)).isEqualTo(sd.sigmaMax());
    }

    @Test
    void badSpacingSettings() {
        assertThatThrownBy(() -> Samplers.make("euler", Map.of("spacing", "trailng")))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("unknown timestep spacing 'trailng': did you mean 'trailing'?");
        assertThatThrownBy(() -> TimestepSpacing.LEADING.timesteps(1000, 1000, 1))
                .hasMessageContaining("takes 1000 leading steps past the schedule's last timestep 999");
        assertThatThrownBy(() -> TimestepSpacing.TRAILING.timesteps(1000, 0, 0))
                .hasMessageContaining("steps must lie in [1, 1000]");
        assertThatThrownBy(() -> Samplers.make("euler", Map.of("offset", 1)).trajectory(
                NoiseSchedule.cosine(1000), 10)).hasMessageContaining("offset applies to leading spacing only");
        assertThatThrownBy(() -> Samplers.make("ddim", Map.of("eta", 2))).hasMessageContaining("eta must lie in [0, 1]");
        assertThatThrownBy(() -> Samplers.make("heun", Map.of("eta", 0)))
                .hasMessageContaining("unknown setting 'eta'");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 999, 1000})
    void everyStepCountGivesAStrictlyDecreasingTrajectory(int steps) {
        NoiseSchedule s = NoiseSchedule.linear(1e-4, 0.02, 1000);
        for (String spacing : new String[] {"linspace", "leading", "trailing"}) {
            Trajectory tr = Samplers.make("euler", Map.of("spacing", spacing)).trajectory(s, steps);
            assertThat(tr.steps()).isEqualTo(steps);
        }
        assertThat(Samplers.make("euler", Map.of("karras", true)).trajectory(s, steps).steps()).isEqualTo(steps);
    }

    static org.assertj.core.data.Percentage withinRelative(double fraction) {
        return org.assertj.core.data.Percentage.withPercentage(fraction * 100);
    }
}
