package dev.pictor.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {
    @Test
    void accuracyAndMacroF1ByHand() {
        // a: tp 2 fn 1; b: tp 1 fp 1 → P_a = 1, R_a = 2/3, F1_a = 0.8; P_b = 1/2, R_b = 1, F1_b = 2/3
        ClassificationReport r = ClassificationReport.of(List.of("a", "a", "a", "b"), List.of("a", "a", "b", "b"));
        assertThat(r.accuracy()).isEqualTo(0.75);
        assertThat(r.macroF1()).isCloseTo((0.8 + 2.0 / 3) / 2, within(1e-12));
        assertThat(r.confusion()).contains("a").contains("b");
        assertThat(r.count()).isEqualTo(4);
    }
}
