package dev.pictor.cli;

import dev.pictor.api.device.Backends;
import dev.pictor.api.device.MachineReport;
import java.io.PrintStream;
import java.util.concurrent.Callable;
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
        MachineReport report = MachineReport.now(!noPeak);
        report.lines().forEach(out::println);
        out.println("device: " + pictor.device() + " (" + org.nd4j.linalg.factory.Nd4j.getBackend().getClass()
                .getSimpleName() + ")");
        Runtime rt = Runtime.getRuntime();
        out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                + "), heap max " + rt.maxMemory() / (1 << 20) + " MiB, off-heap max "
                + org.bytedeco.javacpp.Pointer.maxBytes() / (1 << 20) + " MiB");
        return 0;
    }
}
