package dev.pictor.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pictor new-plugin NAME [--dir DIR] [--package P]}: writes a plugin project that builds as it is (see
 * {@link PluginSkeleton}); never overwrites a folder.
 */
@Command(name = "new-plugin", mixinStandardHelpOptions = true,
        description = {"Write a new plugin project that builds with `mvn -B package`: a pom (pictor-api provided,"
                + " compiler pinned to release 17), the Plugin class, an encoder with its factory, the service file"
                + " and a JUnit test.",
                "Building it needs pictor-api in ~/.m2: in a Pictor checkout, `mvn -B -DskipTests -pl api -am"
                        + " install`. An existing DIR is never overwritten (exit 2)."})
final class NewPluginCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Parameters(paramLabel = "NAME", description = "The plugin's name, also its encoder's: lower-case words joined by"
            + " hyphens, e.g. word-count.")
    String name;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to write it (default: ./NAME); must not exist.")
    Path dir;

    @Option(names = "--package", paramLabel = "P", description = "Java package (default: com.example.NAME without"
            + " hyphens).")
    String pkg;

    @Override
    public Integer call() throws Exception {
        String version = new PictorCli.Version().getVersion()[0].replaceFirst("^pictor ", "");
        if (version.equals("unknown") || version.contains("${")) {
            version = "0.1.0-SNAPSHOT";
        }
        PluginSkeleton skeleton = new PluginSkeleton(name, pkg, version);
        Path target = dir != null ? dir : Path.of(name);
        skeleton.write(target);
        cli.out().println("wrote " + target + ": " + skeleton.files().size() + " files, plugin class "
                + skeleton.pluginClass());
        cli.out().println("build it: cd " + target + " && mvn -B package   (needs dev.pictor:pictor-api:" + version
                + " in ~/.m2; in a Pictor checkout: mvn -B -DskipTests -pl api -am install)");
        cli.out().println("use it: copy target/" + name + "-0.1.0.jar into ./plugins.d, then `pictor plugins`");
        cli.out().flush();
        return 0;
    }
}
