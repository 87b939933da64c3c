package dev.pictor.api.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.PictorException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class DeviceTest {
    @Test
    void parsesDeviceNames() {
        assertThat(Device.parse("cpu")).isEqualTo(Device.cpu());
        assertThat(Device.parse("CUDA")).isEqualTo(Device.cuda(0));
        assertThat(Device.parse("cuda:3")).isEqualTo(Device.cuda(3));
        assertThatThrownBy(() -> Device.parse("tpu")).isInstanceOf(BadInputException.class)
                .hasMessage("unknown device 'tpu': use cpu, cuda or cuda:N");
        assertThatThrownBy(() -> Device.parse("cuda:x")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> Device.cpu(-1)).isInstanceOf(BadInputException.class);
    }

    @Test
    void threadsAreBoundedByTheMachine() {
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(Device.maxThreads()).isEqualTo(Device.THREADS_PER_PROCESSOR * processors);
        assertThat(Device.cpu(Device.maxThreads()).threads()).isEqualTo(Device.maxThreads());
        assertThat(Device.cpu(0).effectiveThreads()).isEqualTo(processors);
        assertThatThrownBy(() -> Device.cpu(Device.maxThreads() + 1)).isInstanceOf(BadInputException.class)
                .hasMessage("threads " + (Device.maxThreads() + 1) + " is more than this machine can use: give 1 to "
                        + Device.maxThreads() + " (at most 4 per processor; it has " + processors + "), or 0 for"
                        + " one per processor");
        assertThatThrownBy(() -> Device.cpu().withThreads(100_000)).isInstanceOf(BadInputException.class);
    }

    @Test
    void cudaWithoutTheBackendNamesTheProfile() {
        // the user chose a device this build lacks: bad input (the CLI's exit 2), not a failure
        assertThatThrownBy(() -> Backends.check(Device.cuda(0), EnumSet.of(Device.Kind.CPU)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("no CUDA backend").hasMessageContaining("mvn -B -Pcuda -DskipTests package");
    }

    @Test
    void cpuOnACudaOnlyBuildSaysSo() {
        assertThatThrownBy(() -> Backends.check(Device.cpu(), EnumSet.of(Device.Kind.CUDA)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("only the CUDA backend");
        assertThatThrownBy(() -> Backends.check(Device.cpu(), Set.of()))
                .isNotInstanceOf(BadInputException.class).isInstanceOf(PictorException.class)
                .hasMessageContaining("no ND4J backend");
    }

    @Test
    void matchingBackendsPass() {
        Backends.check(Device.cuda(1), EnumSet.of(Device.Kind.CUDA));
        Backends.check(Device.cpu(2), EnumSet.of(Device.Kind.CPU, Device.Kind.CUDA));
    }

    @Test
    void seesWhichBackendClassesArePresent() {
        assertThat(Backends.available(name -> name.equals(Backends.CUDA_BACKEND))).containsExactly(Device.Kind.CUDA);
        // this build's test class path has the CPU backend only
        assertThat(Backends.available()).containsExactly(Device.Kind.CPU);
    }

    @Test
    void activatesTheCpuBackendWithThreads() {
        Backends.activate(Device.cpu(2));
        assertThat(Nd4j.getBackend().getClass().getName()).isEqualTo(Backends.CPU_BACKEND);
        assertThat(Nd4j.getEnvironment().maxMasterThreads()).isEqualTo(2);
        assertThat(Nd4j.ones(2, 2).sumNumber().intValue()).isEqualTo(4);
        assertThatThrownBy(() -> Backends.activate(Device.cuda(0))).hasMessageContaining("no CUDA backend");
        Backends.activate(Device.cpu(1));
        assertThat(Nd4j.getEnvironment().maxMasterThreads()).isEqualTo(1);
    }
}
