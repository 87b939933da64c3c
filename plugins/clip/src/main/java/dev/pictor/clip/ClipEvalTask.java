package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.clip.eval.FashionZeroShot;
import dev.pictor.clip.eval.ShapesZeroShot;
import dev.pictor.datasets.fashion.FashionMnist;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DSL verb {@code evalClip}: the quality numbers of a CLIP model folder on images it never saw — on the Shapes world
 * ({@link ShapesZeroShot}: colour × shape, held-out pairs, positions, relations) or on Fashion-MNIST's test split
 * ({@link FashionZeroShot}: ensembled zero-shot and a linear probe, scored by Tribuo).
 *
 * <pre>{@code
 * def r = evalClip model: 'zoo/shapes-clip', data: 'shapes', images: 100
 * println r.report
 * }</pre>
 */
public final class ClipEvalTask implements Task {
    @Override
    public String description() {
        return "zero-shot accuracy of a CLIP model folder on fresh Shapes renders or the Fashion-MNIST test set";
    }

    @Override
    public List<String> options() {
        return List.of("model", "data", "images", "probe", "seed");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        ClipFolder folder = ClipFolder.at(options.path("model", context.baseDirectory()).orElseThrow(
                () -> new BadInputException("evalClip needs model: a CLIP model folder")));
        String data = options.string("data", "shapes");
        Map<String, Object> out = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (ClipTextEncoder text = folder.textEncoder(); ClipImageEncoder image = folder.imageEncoder()) {
            ClipBpeTokenizer tokenizer = folder.tokenizer();
            switch (data) {
                case "shapes" -> {
                    ShapesZeroShot.Report r = ShapesZeroShot.evaluate(tokenizer, text, image,
                            options.integer("images", 100), options.longInteger("seed", 20261201));
                    out.put("colourShape", r.colourShape());
                    out.put("heldOut", r.heldOut());
                    out.put("horizontal", r.horizontal());
                    out.put("vertical", r.vertical());
                    out.put("relation", r.relation());
                    out.put("recallAt1", r.recall()[0]);
                    out.put("recallAt5", r.recall()[1]);
                    out.put("recallAt10", r.recall()[2]);
                    out.put("report", r.toString());
                }
                case "fashion" -> {
                    FashionZeroShot.Report r = FashionZeroShot.evaluate(tokenizer, text, image,
                            FashionMnist.load(FashionMnist.Split.TRAIN), FashionMnist.load(FashionMnist.Split.TEST),
                            options.integer("images", 10_000), options.integer("probe", 10_000));
                    out.put("zeroShot", r.zeroShot().accuracy());
                    out.put("zeroShotMacroF1", r.zeroShot().macroF1());
                    out.put("probe", r.probeAccuracy());
                    out.put("probeMacroF1", r.probeMacroF1());
                    out.put("confusion", r.zeroShot().confusion());
                    out.put("report", r.toString());
                }
                default -> throw new BadInputException(options.where("data") + " must be 'shapes' or 'fashion', not '"
                        + data + "'");
            }
        }
        out.put("seconds", (System.nanoTime() - start) / 1e9);
        context.out().println(out.get("report"));
        return out;
    }
}
