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
import dev.pictor.datasets.shapes.Colour;
import dev.pictor.datasets.shapes.Place;
import dev.pictor.datasets.shapes.Relation;
import dev.pictor.datasets.shapes.Shape;
import dev.pictor.datasets.shapes.ShapesChecker;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DSL verb {@code evalShapesGeneration}: how often a text-to-image pipeline draws what Shapes-world prompts ask,
 * judged by {@link ShapesChecker} on the PNGs the {@code generate} task wrote (the pixels only, as the spec asks).
 * Four prompt sets, drawn from the spec's grammar with a fixed seed: every allowed colour–shape pair
 * ({@code single}), a size and a place ({@code place}), two objects in a relation ({@code relation}), and the
 * held-out pairs the models never saw ({@code heldOut}); {@code count} images a prompt — the four held-out prompts
 * get as many images in all as the twenty single ones (five times {@code count} each), so that both shares rest on
 * the same number of pictures. Sampling options not given ({@code steps}, {@code sampler}, {@code guidance},
 * {@code guidanceRescale}) are the pipeline's defaults, then {@code generate}'s. Returns the share right per set, and
 * prints them.
 *
 * <pre>{@code
 * def r = evalShapesGeneration pipeline: 'shapes-ldm', count: 4, steps: 20, sampler: 'dpm-solver++',
 *         guidance: 5, out: 'target/shapes-eval'
 * }</pre>
 */
public final class ShapesGenerationEvalTask implements Task {
    @Override
    public String description() {
        return "generate Shapes-world prompts (single, place and size, relations, held-out pairs) and judge the"
                + " PNGs with the pixel checker";
    }

    @Override
    public List<String> options() {
        return List.of("pipeline", "count", "steps", "sampler", "guidance", "guidanceRescale", "rerank", "seed", "out",
                "sets", "prompts");
    }

    /** The prompt sets, by name. */
    public static Map<String, List<String>> promptSets(int perSet, long seed) {
        Map<String, List<String>> sets = new LinkedHashMap<>();
        List<String> single = new ArrayList<>();
        List<String> heldOut = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                String p = article(c.word()) + " " + c.word() + " " + s.word();
                (ShapesWorld.HELD_OUT.contains(new ShapesWorld.Pair(c, s)) ? heldOut : single).add(p);
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<String> place = new ArrayList<>();
        while (place.size() < perSet) {
            Colour c = Colour.values()[r.nextInt(Colour.values().length)];
            Shape s = Shape.values()[r.nextInt(Shape.values().length)];
            if (ShapesWorld.HELD_OUT.contains(new ShapesWorld.Pair(c, s))) {
                continue;
            }
            String size = r.nextBoolean() ? "small" : "large";
            Place at = Place.values()[r.nextInt(Place.values().length)];
            place.add("a " + size + " " + c.word() + " " + s.word() + at.phrase());
        }
        List<String> relation = new ArrayList<>();
        while (relation.size() < perSet) {
            Colour c1 = Colour.values()[r.nextInt(Colour.values().length)];
            Colour c2 = Colour.values()[r.nextInt(Colour.values().length)];
            Shape s1 = Shape.values()[r.nextInt(Shape.values().length)];
            Shape s2 = Shape.values()[r.nextInt(Shape.values().length)];
            if (c1 == c2 || ShapesWorld.HELD_OUT.contains(new ShapesWorld.Pair(c1, s1))
                    || ShapesWorld.HELD_OUT.contains(new ShapesWorld.Pair(c2, s2))) {
                continue;
            }
            Relation rel = Relation.values()[r.nextInt(Relation.values().length)];
            relation.add(article(c1.word()) + " " + c1.word() + " " + s1.word() + " " + rel.phrase() + " "
                    + article(c2.word()) + " " + c2.word() + " " + s2.word());
        }
        sets.put("single", single);
        sets.put("place", place);
        sets.put("relation", relation);
        sets.put("heldOut", heldOut);
        return sets;
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        Object pipelineName = options.raw("pipeline").orElseThrow(() -> new BadInputException(
                "evalShapesGeneration needs pipeline: a text-to-image pipeline or zoo name"));
        int count = options.integer("count", 4);
        Map<String, List<String>> sets = promptSets(options.integer("prompts", 40), 7);
        // the held-out set has 4 prompts where the others have 20 or more: it draws count × 5 images of each
        int heldOutImages = count * sets.get("single").size() / sets.get("heldOut").size();
        if (count < 1 || heldOutImages > GenerateRequest.MAX_COUNT) {
            throw new BadInputException(options.where("count") + " must lie in [1, " + GenerateRequest.MAX_COUNT
                    * sets.get("heldOut").size() / sets.get("single").size() + "] (the held-out pairs get "
                    + sets.get("single").size() / sets.get("heldOut").size() + "× as many images), got " + count);
        }
        long seed = options.longInteger("seed", 1000);
        Path out = options.path("out", context.baseDirectory()).orElse(context.baseDirectory().resolve(
                "shapes-eval"));
        List<String> wanted = options.strings("sets").orElse(List.copyOf(sets.keySet()));
        Map<String, Object> result = new LinkedHashMap<>();
        try (LoadedPipeline pipeline = context.open(pipelineName)) {
            for (String set : wanted) {
                List<String> prompts = sets.get(set);
                if (prompts == null) {
                    throw new BadInputException(options.where("sets") + ": no prompt set '" + set + "' (sets: "
                            + sets.keySet() + ")");
                }
                List<GenerateRequest.Prompt> ps = new ArrayList<>();
                for (int i = 0; i < prompts.size(); i++) {
                    ps.add(new GenerateRequest.Prompt(set + "-" + i, prompts.get(i)));
                }
                int images = set.equals("heldOut") ? heldOutImages : count;
                GenerateRequest request = EvalRequests.of(options, pipeline, ps, seed, images, out.resolve(set));
                Generate.Result generated = Generate.run(context, pipeline, request, SamplingHooks.none()
                        .withProgress(context.progress()).withCancellation(context.cancellation()));
                int right = 0;
                for (Generate.Image image : generated.images()) {
                    // judged from the file written, as an outside checker would read it
                    if (ShapesChecker.judge(rgb(Png.read(image.file())), image.prompt().text()).correct()) {
                        right++;
                    }
                }
                double share = (double) right / generated.images().size();
                double diversity = seedDiversity(generated.images());
                context.out().printf("%-9s %5.1f%%  (%d of %d images, %d prompts × %d)  seeds differ by %.1f of 255"
                        + " a pixel%n", set, 100 * share, right, generated.images().size(), prompts.size(), images,
                        diversity);
                result.put(set, share);
                result.put(set + "SeedDistance", diversity);
            }
        }
        return result;
    }

    /**
     * How different one prompt's pictures are across seeds: the mean absolute difference of two of its images'
     * pixel values (0–255), over every pair of a prompt, averaged over prompts. 0 would mean every seed draws the
     * same picture; a prompt's pictures differ in where, how large and (for a place-free prompt) which object
     * sits where.
     */
    static double seedDiversity(List<Generate.Image> images) {
        Map<String, List<byte[]>> byPrompt = new LinkedHashMap<>();
        for (Generate.Image image : images) {
            byPrompt.computeIfAbsent(image.prompt().id(), k -> new ArrayList<>()).add(
                    dev.pictor.api.image.Images.toRgb(image.image()));
        }
        double sum = 0;
        int prompts = 0;
        for (List<byte[]> pictures : byPrompt.values()) {
            if (pictures.size() < 2) {
                continue;
            }
            double d = 0;
            int pairs = 0;
            for (int a = 0; a < pictures.size(); a++) {
                for (int b = a + 1; b < pictures.size(); b++) {
                    long diff = 0;
                    byte[] x = pictures.get(a);
                    byte[] y = pictures.get(b);
                    for (int i = 0; i < x.length; i++) {
                        diff += Math.abs((x[i] & 0xFF) - (y[i] & 0xFF));
                    }
                    d += (double) diff / x.length;
                    pairs++;
                }
            }
            sum += d / pairs;
            prompts++;
        }
        return prompts == 0 ? 0 : sum / prompts;
    }

    /** {@code [y][x][c]} bytes of a 32 × 32 picture. */
    static byte[] rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w != ShapesWorld.SIZE || h != ShapesWorld.SIZE) {
            throw new BadInputException("a Shapes-world picture is 32 × 32, got " + w + " × " + h);
        }
        return dev.pictor.api.image.Images.toRgb(image);
    }
}
