package dev.pictor.api.device;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a benchmark or a bug report must say about the machine it ran on: the CPU and its instruction sets, the
 * native build loaded and why, the instruction set oneDNN runs, threads, and — when asked — the fp32 peak measured
 * now. {@code pictor doctor} prints it; every benchmark prints it above its table, so shares of peak are of the
 * figure measured on that machine in that run.
 *
 * <pre>{@code
 * MachineReport report = MachineReport.now(true);   // measures the peak (about a second)
 * report.lines().forEach(System.out::println);
 * double share = gflops / report.peak().gflops();
 * }</pre>
 *
 * @param natives the native build chosen ({@link CpuNatives#select()})
 * @param oneDnn  Pictor's oneDNN kernels: version and the instruction set they run, or why they do not
 * @param threads compute threads (the active device's, else every core)
 * @param peak    the measured fp32 peak, or null when not measured
 */
public record MachineReport(CpuNatives.Choice natives, String oneDnn, int threads, FpPeak.Result peak) {
    /** Reports on this process, measuring the peak if {@code measurePeak}. Starts ND4J if nothing has. */
    public static MachineReport now(boolean measurePeak) {
        CpuNatives.Choice natives = CpuNatives.select();
        org.nd4j.linalg.factory.Nd4j.getBackend(); // loads the natives chosen
        int threads = Backends.cpuThreads() > 0 ? Backends.cpuThreads()
                : org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads();
        return new MachineReport(natives, describeOneDnn(), threads, measurePeak ? FpPeak.measure(2048, 10) : null);
    }

    /** The report, one fact a line ("cpu: …", "natives: …"). */
    public List<String> lines() {
        CpuInfo cpu = natives.cpu();
        List<String> out = new ArrayList<>();
        out.add("cpu: " + cpu + ", " + cpu.cores() + " logical cores");
        out.add("instruction sets: " + cpu.shownFlags() + " (best build it runs: " + Isa.best(cpu).id() + ")");
        out.add("natives: " + natives.classifier() + " (" + natives.reason() + "); bundled: "
                + (natives.bundled().isEmpty() ? "none Pictor knows"
                        : natives.bundled().stream().map(Isa::id).collect(Collectors.joining(", "))));
        String cap = System.getenv(CpuNatives.ONEDNN_CAP_ENV);
        out.add("onednn: " + oneDnn + (cap == null ? "" : "; " + CpuNatives.ONEDNN_CAP_ENV + "=" + cap));
        out.add("threads: " + threads);
        if (peak != null) {
            out.add("fp32 peak (measured): " + peak);
        }
        return out;
    }

    /** Pictor's oneDNN kernels live in plugins/nn, which the API does not link against: found by name. */
    private static String describeOneDnn() {
        try {
            Class<?> c = Class.forName("dev.pictor.nn.onednn.OneDnn");
            return "Pictor's kernels on " + c.getMethod("describe").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "Pictor's oneDNN kernels not on the class path";
        }
    }
}
