package dev.pictor.cli;

import dev.pictor.api.plugin.PluginFailure;
import dev.pictor.api.plugin.PluginInfo;
import dev.pictor.api.plugin.PluginRegistry;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code pictor plugins}: what loaded, what each provides, and what failed with why. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List plugins (built-in and drop-in), their components, and jars that failed to load.")
final class PluginsCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Override
    public Integer call() {
        PluginRegistry registry = cli.pictor().plugins();
        PrintStream out = cli.out();
        for (PluginInfo p : registry.plugins()) {
            out.println(p.name() + " " + p.version() + " (" + p.source() + ", API " + p.apiVersion() + ")"
                    + (p.description().isBlank() ? "" : "  " + p.description()));
            for (Map.Entry<String, List<String>> e : p.components().entrySet()) {
                out.println("  " + e.getKey() + ": " + String.join(", ", e.getValue()));
            }
            if (!p.tasks().isEmpty()) {
                out.println("  task: " + String.join(", ", p.tasks()));
            }
            if (!p.zoo().isEmpty()) {
                out.println("  zoo: " + String.join(", ", p.zoo()));
            }
        }
        if (!registry.failures().isEmpty()) {
            out.println("failed to load:");
            for (PluginFailure f : registry.failures()) {
                out.println("  " + f.source() + ": " + f.reason());
            }
        }
        return 0;
    }
}
