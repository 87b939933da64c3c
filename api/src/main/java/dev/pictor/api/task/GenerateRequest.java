package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.io.TextFiles;
import dev.pictor.api.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@link Generate} is asked for, checked once for every front end: the DSL's {@code generate} named
 * arguments and {@code pictor generate}'s options both arrive as {@link TaskOptions} with these names.
 *
 * <ul>
 *   <li>{@code prompt} (one text; written as {@code 0.png}) or {@code prompts} (a UTF-8 file, one
 *       {@code id<TAB>prompt} a line, written as {@code id.png}). An <b>empty prompt</b> asks for an
 *       unconditional sample: the model's empty-text condition, the branch classifier-free guidance was trained
 *       with.</li>
 *   <li>{@code negative} (the guidance's other branch; default empty), {@code seed} (0), {@code count} (1; image k
 *       of every prompt has seed {@code seed + k}, and {@code id-k.png} names it), {@code steps} (20),
 *       {@code sampler} (the pipeline's own unless named), {@code guidance} (5; ≥ 0, 1 = none),
 *       {@code guidanceRescale} (0; in [0, 1]: the guided prediction's scale pulled back toward the conditional
 *       one's, diffusers' {@code guidance_rescale}; see {@link dev.pictor.api.diffusion.DiffusionRequest}). A
 *       pipeline may set its own defaults for these ({@link #withDefaults}): shapes-ldm samples at guidance 3
 *       rescaled 0.7 unless told otherwise.</li>
 *   <li>{@code initImage} and {@code strength} (0.8; in [0, 1]) for img2img; {@code mask} (a PNG of the image's
 *       size, black = keep, white = regenerate; needs {@code initImage}) for inpainting.</li>
 *   <li>{@code rerank} (1 = off): draw that many candidates for each image and keep the one whose CLIP embedding
 *       is closest to the prompt's (the pipeline's {@code text} and {@code image} encoders) — the DALL·E paper's
 *       reranking. Candidate j of image k has seed {@code seed + j·count + k}, so candidate 0 is the picture drawn
 *       without reranking; the PNG records the chosen one's seed.</li>
 *   <li>{@code grid} (false: also write {@code grid.png}); {@code out} (the folder, default the working
 *       directory).</li>
 * </ul>
 *
 * <pre>{@code
 * GenerateRequest r = GenerateRequest.from(GenerateRequest.withDefaults(TaskOptions.of("generate",
 *         Map.of("prompt", "a red circle", "count", 4), GenerateRequest.OPTIONS), pipeline), Path.of("."));
 * }</pre>
 */
public record GenerateRequest(List<Prompt> prompts, String negative, long seed, int count, int steps,
        Optional<String> sampler, double guidance, double guidanceRescale, Optional<Path> initImage, double strength,
        Optional<Path> mask, boolean upscale, int rerank, boolean grid, Path out) {

    /** The option names, the same for the DSL and the CLI (whose {@code --init-image} is {@code initImage}). */
    public static final List<String> OPTIONS = List.of("prompt", "prompts", "negative", "seed", "count", "steps",
            "sampler", "guidance", "guidanceRescale", "initImage", "strength", "mask", "upscale", "rerank", "grid",
            "out");
    /** The most images one prompt may ask for in one run. */
    public static final int MAX_COUNT = 64;
    /** The most candidates reranking may draw for one image (the DALL·E paper drew 512 for each prompt). */
    public static final int MAX_RERANK = 512;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /**
     * One prompt and the name its images are written under.
     *
     * @param id   file-name stem: letters, digits, '.', '_' and '-', starting with a letter or digit
     * @param text the prompt; empty for an unconditional sample
     */
    public record Prompt(String id, String text) {
    }

    public GenerateRequest {
        prompts = List.copyOf(prompts);
    }

    /**
     * The options a pipeline may give defaults for ({@link Pipeline#defaults()}): how to sample, never what to draw
     * or where to write it.
     */
    public static final List<String> PIPELINE_DEFAULTS = List.of("negative", "steps", "sampler", "guidance",
            "guidanceRescale");

    /**
     * {@code given} with {@code pipeline}'s defaults for the options it does not name — a zoo model's best guidance
     * instead of the global 5. A default outside {@link #PIPELINE_DEFAULTS} is an error naming the pipeline.
     */
    public static TaskOptions withDefaults(TaskOptions given, Pipeline pipeline) {
        TaskOptions defaults = TaskOptions.of("pipeline '" + pipeline.name() + "' defaults", pipeline.defaults(),
                PIPELINE_DEFAULTS);
        // checked on their own first, so that a bad default names the pipeline rather than the user's request
        from(defaults, List.of(new Prompt("0", "")), Path.of(""));
        Map<String, Object> merged = new LinkedHashMap<>(defaults.asMap());
        merged.putAll(given.asMap());
        return TaskOptions.of(given.verb(), merged, OPTIONS);
    }

    /** Reads and checks the options; relative paths start at {@code base}. */
    public static GenerateRequest from(TaskOptions o, Path base) {
        o.atMostOne("prompt", "prompts");
        List<Prompt> prompts;
        if (o.has("prompt")) {
            prompts = List.of(new Prompt("0", o.string("prompt", "")));
        } else if (o.has("prompts")) {
            prompts = readPrompts(o.path("prompts", base).orElseThrow());
        } else {
            throw new BadInputException("generate needs a prompt (prompt: TEXT, or prompts: FILE with one"
                    + " id<TAB>prompt a line)");
        }
        return from(o, prompts, base);
    }

    /**
     * Reads and checks every option but {@code prompt} / {@code prompts}, for these {@code prompts} (a task that
     * makes its own, as the evaluations do); relative paths start at {@code base}.
     */
    public static GenerateRequest from(TaskOptions o, List<Prompt> prompts, Path base) {
        if (prompts.isEmpty()) {
            throw new BadInputException(o.verb() + " needs at least one prompt");
        }
        int count = o.integer("count", 1);
        if (count < 1 || count > MAX_COUNT) {
            throw new BadInputException(o.where("count") + " must lie in [1, " + MAX_COUNT + "], got " + count);
        }
        int steps = o.integer("steps", 20);
        if (steps < 1) {
            throw new BadInputException(o.where("steps") + " must be at least 1, got " + steps);
        }
        double guidance = o.real("guidance", 5);
        if (guidance < 0) {
            throw new BadInputException(o.where("guidance") + " must be >= 0 (1 = no guidance), got " + guidance);
        }
        double guidanceRescale = o.real("guidanceRescale", 0);
        if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) {
            throw new BadInputException(o.where("guidanceRescale") + " must lie in [0, 1] (0 = plain guidance, 0.7"
                    + " is usual), got " + guidanceRescale);
        }
        Optional<Path> init = o.path("initImage", base);
        if (o.has("strength") && init.isEmpty()) {
            throw new BadInputException("generate: strength needs an initial image (initImage / --init-image)");
        }
        double strength = o.real("strength", 0.8);
        if (strength < 0 || strength > 1) {
            throw new BadInputException(o.where("strength") + " must lie in [0, 1] (0 keeps the image, 1 redraws it),"
                    + " got " + strength);
        }
        Optional<Path> mask = o.path("mask", base);
        if (mask.isPresent() && init.isEmpty()) {
            throw new BadInputException("generate: a mask needs the image it masks (initImage / --init-image)");
        }
        boolean upscale = o.bool("upscale", false);
        if (upscale && init.isEmpty()) {
            throw new BadInputException("generate: upscale needs the small image to enlarge (initImage / --init-image)");
        }
        if (upscale && mask.isPresent()) {
            throw new BadInputException("generate: upscale redraws the whole enlarged image; it takes no mask");
        }
        int rerank = o.integer("rerank", 1);
        if (rerank < 1 || rerank > MAX_RERANK) {
            throw new BadInputException(o.where("rerank") + " must lie in [1, " + MAX_RERANK + "] (candidates drawn for"
                    + " each image; 1 = no reranking), got " + rerank);
        }
        Optional<String> sampler = o.has("sampler") ? Optional.of(o.string("sampler", "")) : Optional.empty();
        Path out = o.path("out", base).orElse(base);
        return new GenerateRequest(prompts, o.string("negative", ""), o.longInteger("seed", 0), count, steps, sampler,
                guidance, guidanceRescale, init, init.isPresent() ? o.real("strength", upscale ? 0.5 : 0.8) : 1, mask,
                upscale, rerank, o.bool("grid", false), out);
    }

    /** {@code id<TAB>prompt} lines; a bad line is one error naming it. */
    static List<Prompt> readPrompts(Path file) {
        List<String> lines = TextFiles.readLines(file, "prompts file", "");
        List<Prompt> prompts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = "line " + (i + 1) + " of " + file;
            if (line.isBlank()) {
                throw new BadInputException(where + " is empty: one id<TAB>prompt a line");
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new BadInputException(where + " has no tab: write id<TAB>prompt (e.g. \"red1\\ta red circle\")");
            }
            String id = line.substring(0, tab);
            if (!ID.matcher(id).matches()) {
                throw new BadInputException(where + ": id '" + id + "' must be 1 to 100 letters, digits, '.', '_' or"
                        + " '-', starting with a letter or digit (it names the file)");
            }
            if (!seen.add(id)) {
                throw new BadInputException(where + ": id '" + id + "' is used twice: ids name the files, give each"
                        + " line its own");
            }
            prompts.add(new Prompt(id, line.substring(tab + 1)));
        }
        if (prompts.isEmpty()) {
            throw new BadInputException("prompts file " + file + " has no lines: one id<TAB>prompt a line");
        }
        return prompts;
    }

    /** The file of image k of a prompt: {@code id.png}, or {@code id-k.png} when {@code count > 1}. */
    public Path fileOf(Prompt prompt, int k) {
        return out.resolve(count == 1 ? prompt.id() + ".png" : prompt.id() + "-" + k + ".png");
    }
}
