package dev.pictor.cli;

import dev.pictor.dsl.ScriptRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pictor run SCRIPT.groovy [ARGS…]}: runs a DSL script; ARGS are bound to {@code args} in the script. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a Pictor DSL script.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "The .groovy script to run.")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the script (its `args` list).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        new ScriptRunner(cli.pictor(), cli.out(), cli.err()).quiet(cli.quiet()).run(script, args);
        cli.out().flush();
        return 0;
    }
}
