package dev.pictor.cli;

import dev.pictor.api.task.Classify;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pictor classify --pipeline NAME --labels L1,L2,… IMAGE…}: zero-shot classification, the {@link Classify}
 * task as the DSL's {@code classify} runs it; one {@code image<TAB>best label<TAB>probability} line an image.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Zero-shot classification of images among labels with a text-and-image pipeline (CLIP).")
final class ClassifyCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Option(names = "--pipeline", required = true, paramLabel = "NAME", description = "A zoo pipeline with a text"
            + " and an image encoder.")
    String pipeline;

    @Option(names = "--labels", required = true, split = ",", paramLabel = "L1,L2,…", description = "Two or more"
            + " labels.")
    List<String> labels;

    @Option(names = "--template", paramLabel = "TEXT", description = "The prompt each label fills, with {} for the"
            + " label (default: \"" + Classify.DEFAULT_TEMPLATE + "\"). Give it several times to ensemble templates.")
    List<String> templates;

    @Option(names = "--scale", paramLabel = "S", description = "Similarity scale of the softmax (default: 100, CLIP's).")
    double scale = Classify.DEFAULT_SCALE;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG files; other sizes than the model's are"
            + " resized and centre-cropped as CLIP's preprocessing does.")
    List<Path> images;

    @Override
    public Integer call() {
        var p = cli.pictor().open(cli.pictor().zoo(pipeline));
        List<String> t = templates == null || templates.isEmpty() ? List.of(Classify.DEFAULT_TEMPLATE) : templates;
        for (Classify.Scores s : Classify.run(p, images, labels, t, scale, w -> {
            if (!cli.quiet()) {
                cli.err().println("warning: " + w);
            }
        })) {
            cli.out().println(s.image() + "\t" + s.best() + "\t" + String.format(Locale.ROOT, "%.4f",
                    s.bestProbability()));
        }
        cli.out().flush();
        return 0;
    }
}
