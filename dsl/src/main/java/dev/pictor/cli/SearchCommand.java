package dev.pictor.cli;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.ImageSearch;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pictor search}: text→image or image→image search over a folder ({@link ImageSearch}). */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search a folder of images by a text or an image with a text-and-image pipeline (CLIP); prints"
                + " score<TAB>image, best first.")
final class SearchCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Option(names = "--pipeline", required = true, paramLabel = "NAME", description = "A zoo pipeline with a text"
            + " and an image encoder.")
    String pipeline;

    @Option(names = "--index", required = true, paramLabel = "DIR", description = "The folder of PNG images to search.")
    Path index;

    @Option(names = "--query", paramLabel = "TEXT", description = "Find images that match this text.")
    String query;

    @Option(names = "--image", paramLabel = "PNG", description = "Find images like this one.")
    Path image;

    @Option(names = "--top", paramLabel = "K", description = "How many results (default: ${DEFAULT-VALUE}).")
    int top = 5;

    @Override
    public Integer call() {
        if ((query == null) == (image == null)) {
            throw new BadInputException("give exactly one of --query TEXT or --image PNG");
        }
        var p = cli.pictor().open(cli.pictor().zoo(pipeline));
        ImageSearch.Query q = query != null ? ImageSearch.Query.text(query) : ImageSearch.Query.image(image);
        for (ImageSearch.Hit h : ImageSearch.run(p, index, q, top)) {
            cli.out().println(String.format(Locale.ROOT, "%.4f", h.score()) + "\t" + h.image());
        }
        cli.out().flush();
        return 0;
    }
}
