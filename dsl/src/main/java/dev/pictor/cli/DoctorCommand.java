package dev.pictor.cli;

import dev.pictor.api.device.Backends;
import dev.pictor.api.device.CpuInfo;
import dev.pictor.api.device.CpuNatives;
import dev.pictor.api.device.FpPeak;
import dev.pictor.api.device.Isa;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pictor doctor}: what this machine is and what Pictor runs on it — the CPU, its instruction sets, the
 * native build chosen and why, oneDNN's instruction set, threads, and the fp32 peak measured now. The first thing to
 * paste into a bug report or beside a benchmark.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Show the CPU, its instruction sets, the native build chosen (see --isa), oneDNN's"
                + " instruction set, threads and the fp32 peak measured on this machine."})
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Option(names = "--no-peak", description = "Skip measuring the fp32 peak (about a second).")
    boolean noPeak;

    @Override
    public Integer call() {
        PrintStream out = cli.out();
        var pictor = cli.pictor(); // chooses the natives with the global options
        Backends.activate(pictor.device());
        CpuNatives.Choice natives = CpuNatives.chosen();
        CpuInfo cpu = natives.cpu();
        out.println("cpu: " + cpu + ", " + cpu.cores() + " logical cores");
        out.println("instruction sets: " + cpu.shownFlags() + " (best build it runs: " + Isa.best(cpu).id() + ")");
        out.println("natives: " + natives.classifier() + " (" + natives.reason() + "); bundled: "
                + (natives.bundled().isEmpty() ? "none Pictor knows"
                        : natives.bundled().stream().map(Isa::id).collect(Collectors.joining(", "))));
        String cap = System.getenv(CpuNatives.ONEDNN_CAP_ENV);
        out.println("onednn: " + oneDnn() + (cap == null ? "" : "; " + CpuNatives.ONEDNN_CAP_ENV + "=" + cap));
        out.println("backend: " + org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName() + " on "
                + pictor.device() + ", " + Math.max(Backends.cpuThreads(), 0) + " compute threads");
        Runtime rt = Runtime.getRuntime();
        out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                + "), heap max " + rt.maxMemory() / (1 << 20) + " MiB, off-heap max "
                + org.bytedeco.javacpp.Pointer.maxBytes() / (1 << 20) + " MiB");
        if (!noPeak) {
            out.println("fp32 peak (measured): " + FpPeak.measure(2048, 5));
        }
        return 0;
    }

    /** Pictor's own oneDNN kernels (plugins/nn), found by name: the CLI does not link against a plugin. */
    private static String oneDnn() {
        try {
            Class<?> c = Class.forName("dev.pictor.nn.onednn.OneDnn");
            return "Pictor's kernels on " + c.getMethod("describe").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "Pictor's kernels not in this build";
        }
    }
}
