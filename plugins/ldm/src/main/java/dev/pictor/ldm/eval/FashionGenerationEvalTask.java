package dev.pictor.ldm.eval;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.SamplingHooks;
import dev.pictor.api.image.Png;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.task.Generate;
import dev.pictor.api.task.GenerateRequest;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.datasets.fashion.FashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DSL verb {@code evalFashionGeneration}: generates {@code count} images for each Fashion-MNIST class from the
 * prompt {@code "a photo of <class caption>"} and asks an independent judge ({@link FashionClassifier}, trained here
 * on the training split, its test accuracy reported) which class each PNG shows — the centre 28 pixels of a
 * 32-pixel picture, as the pipeline pads them. Sampling options not given are the pipeline's defaults, then
 * {@code generate}'s. Returns the share classified as prompted, overall and per class.
 *
 * <pre>{@code
 * def r = evalFashionGeneration pipeline: 'fashion-ldm', count: 20, steps: 20, guidance: 5, out: 'target/fe'
 * }</pre>
 */
public final class FashionGenerationEvalTask implements Task {
    @Override
    public String description() {
        return "generate every Fashion-MNIST class and judge the PNGs with an independently trained classifier";
    }

    @Override
    public List<String> options() {
        return List.of("pipeline", "count", "steps", "sampler", "guidance", "guidanceRescale", "rerank", "seed", "out",
                "epochs");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        Object pipelineName = options.raw("pipeline").orElseThrow(() -> new BadInputException(
                "evalFashionGeneration needs pipeline: a text-to-image pipeline or zoo name"));
        int count = options.integer("count", 20);
        Path out = options.path("out", context.baseDirectory()).orElse(context.baseDirectory().resolve(
                "fashion-eval"));
        long start = System.nanoTime();
        FashionClassifier judge = FashionClassifier.train(FashionMnist.load(FashionMnist.Split.TRAIN),
                options.integer("epochs", 3), 1);
        double judgeAccuracy = judge.accuracy(FashionMnist.load(FashionMnist.Split.TEST));
        context.out().printf("judge: a CNN trained here, %.1f%% on the test split (%.0f s)%n", 100 * judgeAccuracy,
                (System.nanoTime() - start) / 1e9);
        List<GenerateRequest.Prompt> prompts = new ArrayList<>();
        for (int c = 0; c < FashionMnist.CLASS_NAMES.size(); c++) {
            prompts.add(new GenerateRequest.Prompt("class-" + c, "a photo of " + FashionMnist.captionOf(c)));
        }
        int[][] confusion = new int[10][10];
        try (LoadedPipeline pipeline = context.open(pipelineName)) {
            GenerateRequest request = EvalRequests.of(options, pipeline, prompts, options.longInteger("seed", 1000),
                    count, out);
            Generate.Result generated = Generate.run(context, pipeline, request, SamplingHooks.none()
                    .withProgress(context.progress()).withCancellation(context.cancellation()));
            int side = FashionMnist.SIDE;
            float[] grey = new float[generated.images().size() * side * side];
            int[] wanted = new int[generated.images().size()];
            for (int i = 0; i < generated.images().size(); i++) {
                Generate.Image image = generated.images().get(i);
                BufferedImage png = Png.read(image.file());
                int pad = (png.getWidth() - side) / 2;
                if (pad < 0 || png.getHeight() != png.getWidth()) {
                    throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "' draws "
                            + png.getWidth() + "x" + png.getHeight() + " pictures; Fashion-MNIST's are 28x28");
                }
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        grey[i * side * side + y * side + x] = ((png.getRGB(x + pad, y + pad) >> 16) & 0xff)
                                / 127.5f - 1f;
                    }
                }
                wanted[i] = Integer.parseInt(image.prompt().id().substring("class-".length()));
            }
            int[] got = judge.classify(Nd4j.create(grey, new long[] {wanted.length, 1, side, side}, 'c'));
            for (int i = 0; i < got.length; i++) {
                confusion[wanted[i]][got[i]]++;
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        int right = 0;
        int total = 0;
        for (int c = 0; c < 10; c++) {
            right += confusion[c][c];
            int row = java.util.Arrays.stream(confusion[c]).sum();
            total += row;
            result.put(FashionMnist.CLASS_NAMES.get(c), (double) confusion[c][c] / row);
            context.out().printf("%-12s %5.1f%%  %s%n", FashionMnist.CLASS_NAMES.get(c), 100.0 * confusion[c][c] / row,
                    java.util.Arrays.toString(confusion[c]));
        }
        context.out().printf("overall      %5.1f%% of %d images classified as prompted%n", 100.0 * right / total,
                total);
        result.put("overall", (double) right / total);
        result.put("judgeAccuracy", judgeAccuracy);
        return result;
    }
}
