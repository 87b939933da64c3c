package dev.pictor.cli;

import ch.qos.logback.classic.Level;
import dev.pictor.api.BadInputException;
import dev.pictor.api.Pictor;
import dev.pictor.api.PictorException;
import dev.pictor.api.device.Device;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code pictor} command line (see {@code shared/specs/cli.md}): global options and the verbs. Exit codes:
 * 0 success, 2 bad usage or bad input, 1 anything else; errors are one line on stderr.
 *
 * <pre>{@code
 * int status = PictorCli.execute(new String[] {"zoo", "list"}, System.out, System.err);
 * }</pre>
 */
@Command(name = "pictor", mixinStandardHelpOptions = true, versionProvider = PictorCli.Version.class,
        description = "Vision-language and text-to-image pipelines on the JVM.",
        subcommands = {RunCommand.class, PluginsCommand.class, ZooCommand.class, EmbedCommand.class, GenerateCommand.class, ClassifyCommand.class, SearchCommand.class,
                DoctorCommand.class, NewPluginCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 2 bad usage or input, 1 other failures."})
public final class PictorCli implements Runnable {
    static final int BAD_INPUT = 2;
    static final int FAILURE = 1;

    @Spec
    CommandSpec spec;

    /** The drop-in folder when --plugins is not given; it may be missing (then there are no drop-ins). */
    static final Path DEFAULT_PLUGINS = Path.of("plugins.d");

    @Option(names = "--plugins", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Folder of drop-in plugin jars (default: ./plugins.d, if it exists). A DIR that is not an"
                    + " existing folder is an error.")
    Path plugins;

    @Option(names = "--device", paramLabel = "DEVICE", scope = ScopeType.INHERIT,
            description = "cpu, cuda or cuda:N (default: cpu). CUDA needs an app built with -Pcuda.")
    String device = "cpu";

    @Option(names = "--threads", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Compute threads on the CPU: 1 to 4 per processor the machine has (default: one per"
                    + " processor). More is refused (exit 2): it never computes faster.")
    Integer threads;

    @Option(names = "--isa", paramLabel = "ISA", scope = ScopeType.INHERIT,
            description = "Native build to run: auto (default: the best this CPU runs), avx512, avx2 or generic."
                    + " For testing; `pictor doctor` shows the choice.")
    String isa;

    @Option(names = "--online", scope = ScopeType.INHERIT,
            description = "Allow downloading artifacts from their URLs (default: offline).")
    boolean online;

    @Option(names = "--quiet", scope = ScopeType.INHERIT, description = "Print no warnings or progress.")
    boolean quiet;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Log what Pictor and its libraries do.")
    boolean verbose;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean stacktrace;

    private final PrintStream out;
    private final PrintStream err;
    private Pictor pictor;

    PictorCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.setOut(stdout());
        int status;
        try {
            status = execute(args, System.out, System.err);
        } catch (Throwable e) {
            // Errors (out of memory, stack overflow) pass picocli's handler, which catches Exceptions only.
            boolean trace = java.util.Arrays.asList(args).contains("--stacktrace");
            if (trace) {
                e.printStackTrace();
            }
            System.err.println("error: " + (e instanceof OutOfMemoryError
                    ? "out of memory: process less at a time, or give Java more with PICTOR_JAVA_OPTS=-Xmx8g"
                    : "internal error: " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage())
                            + (trace ? "" : " (run again with --stacktrace and report it)")));
            status = FAILURE;
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * The process's real standard output. The {@code pictor} launcher gives the JVM stderr as descriptor 1 — where
     * HotSpot writes a crash banner and native libraries print — and the real stdout as the descriptor named by
     * {@code pictor.stdout.fd}, so a crash or a native library's chatter never mixes into output a script reads.
     */
    static PrintStream stdout() {
        String fd = System.getProperty("pictor.stdout.fd");
        if (fd != null && fd.matches("\\d+")) {
            try {
                // The descriptor itself, not a reopened /proc/self/fd/N: a reopened file would have its own offset
                // and overwrite what the shell writes to the same file after us. Needs the launcher's
                // --add-opens java.base/java.io=ALL-UNNAMED.
                java.io.FileDescriptor descriptor = new java.io.FileDescriptor();
                java.lang.reflect.Field field = java.io.FileDescriptor.class.getDeclaredField("fd");
                field.setAccessible(true);
                field.setInt(descriptor, Integer.parseInt(fd));
                return new PrintStream(new java.io.BufferedOutputStream(new java.io.FileOutputStream(descriptor),
                        1 << 16), true, java.nio.charset.Charset.defaultCharset());
            } catch (ReflectiveOperationException | RuntimeException e) {
                System.err.println("warning: cannot write to descriptor " + fd + " (" + e + "): output goes to"
                        + " the JVM's stdout");
            }
        }
        return System.out;
    }

    /** Runs the command line and returns its exit code. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        PictorCli cli = new PictorCli(out, err);
        CommandLine cmd = new CommandLine(cli);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        // Everything after the script belongs to the script, options included (`pictor run s.groovy -n 5`).
        cmd.getSubcommands().get("run").setStopAtPositional(true);
        cmd.setParameterExceptionHandler((ex, a) -> {
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("error: " + oneLine(ex.getMessage()) + " (see `" + name + " --help`)");
            return BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> cli.report(ex));
        try {
            return cmd.execute(args);
        } finally {
            cli.close();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(err);
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: run, plugins, zoo, embed,"
                + " generate, classify, doctor or new-plugin");
    }

    /** The runtime, built on first use with the global options. */
    Pictor pictor() {
        if (pictor == null) {
            configureLogging();
            if (isa != null) {
                System.setProperty(dev.pictor.api.device.CpuNatives.PROPERTY, isa);
            }
            Device d = Device.parse(device);
            if (threads != null) {
                if (threads < 1) {
                    throw new BadInputException("--threads must be 1 or more, got " + threads);
                }
                if (threads > Device.maxThreads()) {
                    throw new BadInputException(Device.tooManyThreads("--threads", threads));
                }
                d = d.withThreads(threads);
            }
            dev.pictor.api.device.Backends.require(d);
            if (d.kind() == Device.Kind.CPU) {
                // Before anything loads ND4J: a native build this CPU cannot run is one line here, not a SIGILL.
                dev.pictor.api.device.CpuNatives.select();
            }
            pictor = Pictor.builder().plugins(pluginsFolder()).device(d).online(online).build();
        }
        return pictor;
    }

    /**
     * The drop-in folder: --plugins must name an existing folder (a typo or a jar given instead of its folder would
     * otherwise load nothing, silently); the default may be missing but not a file.
     */
    private Path pluginsFolder() {
        Path dir = plugins != null ? plugins : DEFAULT_PLUGINS;
        String given = plugins != null ? "--plugins " + dir : "the default plugins folder " + dir.toAbsolutePath();
        if (Files.isDirectory(dir)) {
            return dir;
        }
        if (Files.exists(dir)) {
            if (plugins == null) {
                throw new BadInputException(given + " is a file, not a folder: remove or rename it, or give the"
                        + " folder of plugin jars with --plugins DIR");
            }
            Path parent = dir.toAbsolutePath().getParent();
            throw new BadInputException(given + " is a file, not a folder: give the folder that holds the plugin"
                    + " jars" + (dir.getFileName().toString().endsWith(".jar") && parent != null
                            ? " (--plugins " + parent + ")" : ""));
        }
        if (plugins == null) {
            return dir;
        }
        throw new BadInputException(given + ": no such folder: create it and copy plugin jars into it, or give the"
                + " folder that holds them");
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    boolean quiet() {
        return quiet;
    }

    private void configureLogging() {
        if (verbose && LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG);
        }
    }

    int report(Exception ex) {
        if (stacktrace) {
            ex.printStackTrace(err);
        }
        if (ex instanceof BadInputException) {
            err.println("error: " + oneLine(ex.getMessage()));
            return BAD_INPUT;
        }
        if (ex instanceof PictorException) {
            err.println("error: " + oneLine(ex.getMessage()));
            return FAILURE;
        }
        err.println("error: internal error: " + ex.getClass().getSimpleName()
                + (ex.getMessage() == null ? "" : ": " + oneLine(ex.getMessage()))
                + (stacktrace ? "" : " (run again with --stacktrace and report it)"));
        return FAILURE;
    }

    private void close() {
        if (pictor != null) {
            pictor.close();
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Reads the version the build wrote. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties p = new Properties();
            try (InputStream in = PictorCli.class.getResourceAsStream("/pictor-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"pictor " + p.getProperty("version", "unknown"),
                    "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }
}
