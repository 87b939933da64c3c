package dev.pictor.nn.onednn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.device.CpuInfo;
import dev.pictor.api.device.CpuNatives;
import dev.pictor.api.device.Isa;
import org.junit.jupiter.api.Test;

class OneDnnTest {
    @Test
    void runsAtTheInstructionSetOfTheChosenNatives() {
        assertThat(OneDnn.available()).as(OneDnn.unavailableReason()).isTrue();
        CpuNatives.Choice c = CpuNatives.chosen();
        assertThat(c).isNotNull();
        String described = OneDnn.describe();
        if (c.oneDnnCap() == Isa.AVX2) {
            // An AVX-512 machine made to compute as an AVX2 one (mvn -Dpictor.isa=avx2, .ci/run's second pass).
            assertThat(described).endsWith("(cpu isa avx2)");
        } else if (c.isa() == Isa.AVX512 || c.isa() == Isa.AVX2 && !CpuInfo.current().has("avx512f")) {
            assertThat(described).contains(c.isa() == Isa.AVX512 ? "avx512" : "avx2");
        }
    }
}
