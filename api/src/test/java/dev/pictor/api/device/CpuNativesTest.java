package dev.pictor.api.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuNativesTest {
    static final String ZEN3 = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model name\t: AMD EPYC 7B13
            flags\t\t: fpu sse4_2 avx f16c fma bmi1 bmi2 avx2 sha_ni
            processor\t: 1
            model name\t: should not be read
            flags\t\t: avx512f
            """;
    static final String SKYLAKE = """
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) Processor @ 2.00GHz
            flags\t\t: sse4_2 avx f16c fma bmi2 avx2 avx512f avx512dq avx512cd avx512bw avx512vl
            """;
    static final String OLD = """
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Core(TM)2 Duo CPU E8400
            flags\t\t: sse sse2 ssse3 sse4_1
            """;

    static CpuInfo cpu(String text) {
        return CpuInfo.parse(text, 2, "amd64", "Linux");
    }

    static final Set<Isa> ALL = EnumSet.allOf(Isa.class);

    @Test
    void parsesTheFirstProcessorOnly() {
        CpuInfo zen = cpu(ZEN3);
        assertThat(zen.model()).isEqualTo("AMD EPYC 7B13");
        assertThat(zen.vendor()).isEqualTo("AuthenticAMD");
        assertThat(zen.has("avx2")).isTrue();
        assertThat(zen.has("avx512f")).isFalse();
        assertThat(zen.platform()).isEqualTo("linux-x86_64");
        assertThat(zen.shownFlags()).isEqualTo("sse4_2 avx f16c fma bmi2 avx2");
    }

    @Test
    void autoPicksTheBestBuildTheCpuRuns() {
        assertThat(CpuNatives.decide(cpu(SKYLAKE), null, null, ALL::contains, true).isa()).isEqualTo(Isa.AVX512);
        CpuNatives.Choice zen = CpuNatives.decide(cpu(ZEN3), "auto", null, ALL::contains, true);
        assertThat(zen.isa()).isEqualTo(Isa.AVX2);
        assertThat(zen.classifier()).isEqualTo("linux-x86_64-onednn-avx2");
        assertThat(zen.forced()).isFalse();
        assertThat(zen.oneDnnCap()).isNull();
        CpuNatives.Choice old = CpuNatives.decide(cpu(OLD), "", null, ALL::contains, true);
        assertThat(old.isa()).isEqualTo(Isa.GENERIC);
        assertThat(old.reason()).contains("lacks avx2, fma, f16c");
    }

    @Test
    void autoFallsBackToALowerBundledBuildNeverAHigherOne() {
        assertThat(CpuNatives.decide(cpu(SKYLAKE), null, null, Set.of(Isa.AVX2, Isa.GENERIC)::contains, true)
                .isa()).isEqualTo(Isa.AVX2);
        // Only the AVX-512 build on an AVX2 CPU: refused with the CPU and the fix, not a SIGILL.
        assertThatThrownBy(() -> CpuNatives.decide(cpu(ZEN3), null, null, Set.of(Isa.AVX512)::contains, true))
                .isInstanceOf(PictorException.class)
                .hasMessageContaining("AMD EPYC 7B13 lacks avx512f")
                .hasMessageContaining("linux-x86_64-onednn-avx2");
    }

    @Test
    void aForcedLowerBuildCapsOneDnn() {
        CpuNatives.Choice c = CpuNatives.decide(cpu(SKYLAKE), "AVX2", null, ALL::contains, true);
        assertThat(c.isa()).isEqualTo(Isa.AVX2);
        assertThat(c.forced()).isTrue();
        assertThat(c.oneDnnCap()).isEqualTo(Isa.AVX2);
        assertThat(CpuNatives.decide(cpu(SKYLAKE), "avx512", null, ALL::contains, true).oneDnnCap()).isNull();
    }

    @Test
    void aForcedBuildTheCpuCannotRunIsOneLineNamingWhatIsMissing() {
        assertThatThrownBy(() -> CpuNatives.decide(cpu(ZEN3), "avx512", null, ALL::contains, true))
                .isInstanceOf(BadInputException.class)
                .hasMessage("--isa avx512 asked for, but this CPU (AMD EPYC 7B13) lacks avx512f, avx512cd,"
                        + " avx512bw, avx512dq, avx512vl: use --isa auto (avx2 here)");
        assertThatThrownBy(() -> CpuNatives.decide(cpu(ZEN3), "sse9", null, ALL::contains, true))
                .isInstanceOf(BadInputException.class).hasMessageContaining("use auto, avx512, avx2 or generic");
    }

    @Test
    void javacppsOwnPropertyIsRespectedAndChecked() {
        assertThat(CpuNatives.decide(cpu(SKYLAKE), null, "-onednn", ALL::contains, true).isa())
                .isEqualTo(Isa.GENERIC);
        assertThatThrownBy(() -> CpuNatives.decide(cpu(ZEN3), null, "-onednn-avx512", ALL::contains, true))
                .isInstanceOf(BadInputException.class).hasMessageContaining("lacks avx512f");
        // --isa wins over javacpp's property.
        assertThat(CpuNatives.decide(cpu(SKYLAKE), "avx2", "-onednn", ALL::contains, true).isa())
                .isEqualTo(Isa.AVX2);
    }

    @Test
    void noKnownBuildLeavesTheChoiceToJavacpp() {
        assertThat(CpuNatives.decide(cpu(ZEN3), null, null, Set.<Isa>of()::contains, false).isa()).isNull();
        assertThat(CpuNatives.decide(cpu(ZEN3), null, null, Set.<Isa>of()::contains, true).classifier())
                .isEqualTo("none");
    }

    @Test
    void anotherPlatformIsOneLine() {
        CpuInfo arm = CpuInfo.parse("", 8, "aarch64", "Linux");
        assertThatThrownBy(() -> CpuNatives.decide(arm, null, null, ALL::contains, true))
                .isInstanceOf(PictorException.class)
                .hasMessage("this machine is linux-arm64 (aarch64): Pictor's CPU natives are built for linux-x86_64"
                        + " only; run it on an x86-64 Linux machine");
    }

    @Test
    void thisProcessLoadedTheChosenBuild() {
        // The test JVM: ND4J's first use went through SelectingBackend, so the choice exists and javacpp used it.
        org.nd4j.linalg.factory.Nd4j.ones(1);
        CpuNatives.Choice c = CpuNatives.chosen();
        assertThat(c).isNotNull();
        assertThat(c.isa()).isNotNull();
        assertThat(System.getProperty(CpuNatives.JAVACPP_EXTENSION)).isEqualTo(c.isa().extension());
        assertThat(c.isa().missing(CpuInfo.current())).isEmpty();
        String forced = System.getProperty(CpuNatives.PROPERTY, "auto");
        if (!forced.equals("auto")) {
            assertThat(c.isa().id()).isEqualTo(forced);
        }
    }
}
