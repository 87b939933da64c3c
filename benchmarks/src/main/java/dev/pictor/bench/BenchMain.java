package dev.pictor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks with JMH and prints Markdown tables: time per call, GFLOP/s and share of the machine's
 * fp32 peak, and per-op overhead with and without the javacpp setting that removes it.
 *
 * <pre>
 * mvn -B -DskipTests package -pl benchmarks -am
 * java -cp 'benchmarks/target/lib/*:benchmarks/target/classes' dev.pictor.bench.BenchMain [--quick] [--peak GFLOPS (default: measured now)]
 *     [--include REGEX] [--no-overhead] [OUT.md]
 * </pre>
 * {@code --include} keeps the layer benchmarks whose method name matches; {@code --no-overhead} skips the per-op
 * tables (benchmarks/variants.sh uses both to compare ND4J's native builds).
 */
public final class BenchMain {
    static final String FAST = "-Dorg.bytedeco.javacpp.maxphysicalbytes=0";

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        boolean overhead = true;
        String include = ".*";
        double peak = 0;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--no-overhead" -> overhead = false;
                case "--include" -> include = args[++i];
                case "--peak" -> peak = Double.parseDouble(args[++i]);
                default -> out = Path.of(args[i]);
            }
        }
        // The machine, and its peak measured now: shares of peak are of what this machine reaches in this run.
        dev.pictor.api.device.MachineReport machine = dev.pictor.api.device.MachineReport.now(peak <= 0);
        dev.pictor.api.device.Backends.setOpenMpThreads(machine.threads());
        if (peak <= 0) {
            peak = machine.peak().gflops();
        }
        StringBuilder md = new StringBuilder();
        machine.lines().forEach(l -> md.append("- ").append(l).append('\n'));
        md.append('\n');
        md.append("| benchmark | shape | ms/call | ± | GFLOP/s | % of ").append((int) peak).append(" GFLOP/s peak |\n")
                .append("|---|---|---:|---:|---:|---:|\n");
        for (RunResult r : run(LayerBenchmarks.class.getName() + "\\.(" + include + ")$", quick, FAST)) {
            var p = r.getPrimaryResult();
            Map<String, String> params = params(r);
            double flops = Flops.of(r.getParams().getBenchmark(), params);
            double gflops = flops / (p.getScore() * 1e-3) / 1e9;
            md.append(String.format("| %s | %s | %.3f | %.3f | %.1f | %.0f%% |%n", shortName(r), params.values(),
                    p.getScore(), p.getScoreError(), gflops, 100 * gflops / peak));
        }
        md.append("\n| per-op overhead | javacpp maxphysicalbytes | µs/call | ± |\n|---|---|---:|---:|\n");
        for (String setting : overhead ? new String[] {FAST, ""} : new String[0]) {
            for (RunResult r : run(OverheadBenchmarks.class.getName(), quick, setting)) {
                var p = r.getPrimaryResult();
                boolean chain = shortName(r).startsWith("graphChain");
                double per = chain ? p.getScore() / OverheadBenchmarks.CHAIN : p.getScore();
                md.append(String.format("| %s | %s | %.2f | %.2f |%n", shortName(r) + (chain ? " (per op)" : ""),
                        setting.isEmpty() ? "default" : "0", per,
                        chain ? p.getScoreError() / OverheadBenchmarks.CHAIN : p.getScoreError()));
            }
        }
        // Measured again after the benchmarks: on a shared host one reading can catch a slow moment.
        dev.pictor.api.device.FpPeak.Result after = dev.pictor.api.device.FpPeak.measure(2048, 10);
        md.append("\n- fp32 peak measured again after the benchmarks: ").append(after).append('\n');
        System.out.println(md);
        if (out != null) {
            Files.writeString(out, md);
        }
    }

    private static Collection<RunResult> run(String include, boolean quick, String jvmFlag) throws RunnerException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx6g", "-Dorg.bytedeco.javacpp.maxbytes=12G", "-Xss4m"));
        if (!jvmFlag.isEmpty()) {
            jvm.add(jvmFlag);
        }
        // The forks load the natives this JVM chose (a forced --isa included); DNNL_MAX_CPU_ISA is inherited.
        dev.pictor.api.device.CpuNatives.Choice natives = dev.pictor.api.device.CpuNatives.select();
        if (natives.isa() != null) {
            jvm.add("-D" + dev.pictor.api.device.CpuNatives.PROPERTY + "=" + natives.isa().id());
        }
        ChainedOptionsBuilder o = new OptionsBuilder().include(include).forks(1)
                .jvmArgs(jvm.toArray(String[]::new))
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2));
        return new Runner(o.build()).run();
    }

    private static Map<String, String> params(RunResult r) {
        Map<String, String> out = new TreeMap<>();
        for (String k : r.getParams().getParamsKeys()) {
            out.put(k, r.getParams().getParam(k));
        }
        return out;
    }

    private static String shortName(RunResult r) {
        String b = r.getParams().getBenchmark();
        return b.substring(b.lastIndexOf('.') + 1);
    }
}
