package dev.pictor.cli;

import dev.pictor.api.BadInputException;
import dev.pictor.api.artifact.Artifact;
import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.artifact.Verification;
import dev.pictor.api.pipeline.ComponentSpec;
import dev.pictor.api.plugin.PluginRegistry;
import dev.pictor.api.zoo.ZooEntry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pictor zoo list | info NAME | verify [NAME]}. */
@Command(name = "zoo", mixinStandardHelpOptions = true, description = "The pretrained pipelines.",
        subcommands = {ZooCommand.ListCommand.class, ZooCommand.InfoCommand.class, ZooCommand.VerifyCommand.class})
final class ZooCommand implements Runnable {
    @ParentCommand
    PictorCli cli;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a zoo command is needed: list, info or verify");
    }

    /** {@code zoo list}: one line a pipeline: name, task, description. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the pretrained pipelines.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        ZooCommand zoo;

        @Override
        public Integer call() {
            for (ZooEntry e : zoo.cli.pictor().plugins().zoo()) {
                zoo.cli.out().println(e.name() + "\t" + e.task() + "\t" + e.description());
            }
            return 0;
        }
    }

    /** {@code zoo info NAME}: components, artifacts and the model card. */
    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show a pipeline's details and model card.")
    static final class InfoCommand implements Callable<Integer> {
        @ParentCommand
        ZooCommand zoo;

        @Parameters(paramLabel = "NAME", description = "A name from `pictor zoo list`.")
        String name;

        @Override
        public Integer call() {
            PluginRegistry registry = zoo.cli.pictor().plugins();
            ArtifactStore store = zoo.cli.pictor().artifacts();
            ZooEntry e = registry.zooEntry(name);
            PrintStream out = zoo.cli.out();
            out.println("name: " + e.name());
            out.println("task: " + e.task());
            java.util.List<String> serves = dev.pictor.api.task.Tasks.served(e.pipeline());
            out.println("serves: " + (serves.isEmpty() ? "no built-in task (run it from a script)"
                    : String.join(", ", serves)));
            out.println("plugin: " + registry.zooProvider(e.name()).orElse("?"));
            out.println("description: " + e.description());
            out.println("components:");
            for (ComponentSpec c : e.pipeline().components()) {
                String provider = registry.provider(c.kind(), c.name()).map(p -> "plugin " + p)
                        .orElse("MISSING: no plugin provides it");
                out.println("  " + c + "  (" + provider + ")");
            }
            if (!e.pipeline().defaults().isEmpty()) {
                out.println("defaults: " + e.pipeline().defaults().entrySet().stream()
                        .map(d -> d.getKey() + " " + d.getValue()).collect(java.util.stream.Collectors.joining(", ")));
            }
            out.println("artifacts:");
            for (Artifact a : e.pipeline().artifacts()) {
                boolean cached = Files.isRegularFile(store.cachePath(a));
                out.println("  " + a.name() + "  sha256 " + a.sha256() + (cached ? "  (cached)" : "  (not cached)"));
                a.sources().forEach(s -> out.println("    from " + s));
            }
            out.println();
            out.println(e.modelCard().strip());
            return 0;
        }
    }

    /**
     * {@code zoo verify [NAME] [--require-all]}: checks every artifact's SHA-256. OK, CORRUPT (exit 1) or NOT
     * DOWNLOADED (an on-demand artifact this machine does not have yet, listed with the command that fetches it;
     * exit 0 unless {@code --require-all}).
     */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check pipelines' artifacts against their SHA-256 (all pipelines if no NAME): OK,"
                    + " CORRUPT (exit 1) or NOT DOWNLOADED (with the command that fetches it; exit 0 unless"
                    + " --require-all)."})
    static final class VerifyCommand implements Callable<Integer> {
        @ParentCommand
        ZooCommand zoo;

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "A name from `pictor zoo list`.")
        String name;

        @Option(names = "--require-all", description = "Fail (exit 1) when an artifact is not downloaded.")
        boolean requireAll;

        @Override
        public Integer call() {
            PluginRegistry registry = zoo.cli.pictor().plugins();
            List<ZooEntry> entries = name == null ? registry.zoo() : List.of(registry.zooEntry(name));
            int corrupt = 0;
            int absent = 0;
            int checked = 0;
            for (ZooEntry e : entries) {
                for (Artifact a : e.pipeline().artifacts()) {
                    Verification v = zoo.cli.pictor().artifacts().verify(a, e.resources());
                    checked++;
                    zoo.cli.out().println(v.status().label() + "\t" + e.name() + "\t" + a.name()
                            + (v.ok() ? "\tsha256 " + a.sha256() : "\t" + v.problem()));
                    switch (v.status()) {
                        case CORRUPT -> corrupt++;
                        case NOT_DOWNLOADED -> absent++;
                        default -> { }
                    }
                }
            }
            if (checked == 0 && name != null) {
                throw new BadInputException("zoo pipeline '" + name + "' has no artifacts to verify");
            }
            if (corrupt > 0) {
                throw new dev.pictor.api.PictorException(corrupt + " of " + checked + " artifacts are corrupt: see"
                        + " the lines above");
            }
            if (absent > 0 && requireAll) {
                throw new dev.pictor.api.PictorException(absent + " of " + checked + " artifacts are not"
                        + " downloaded (--require-all): fetch them with the commands above");
            }
            return 0;
        }
    }
}
