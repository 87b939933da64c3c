package dev.pictor.cli;

import dev.pictor.api.diffusion.SamplingHooks;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import dev.pictor.api.task.Generate;
import dev.pictor.api.task.GenerateRequest;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.api.zoo.ZooEntry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pictor generate --pipeline NAME (--prompt TEXT | --prompts FILE) --out DIR …}: the {@link Generate} task,
 * as the DSL's {@code generate} runs it, with a progress bar on a terminal and Ctrl-C that stops at the next step
 * leaving no partial file.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate images from text with a diffusion or image-token (DALL·E) pipeline.",
                "Each image is written atomically as DIR/ID.png (DIR/ID-K.png with --count K > 1; ID is 0 with"
                        + " --prompt), with its prompt, negative prompt, seed, steps, sampler, guidance, pipeline and"
                        + " weights hash in PNG text chunks. Same seed, same bytes."})
final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    PictorCli cli;

    @Option(names = "--pipeline", required = true, paramLabel = "NAME", description = "A zoo pipeline that"
            + " generates images (pictor zoo list).")
    String pipeline;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompts prompts;

    static final class Prompts {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "One prompt; empty (\"\") asks for an"
                + " unconditional sample.")
        String prompt;

        @Option(names = "--prompts", paramLabel = "FILE", description = "A UTF-8 file, one ID<TAB>PROMPT a line;"
                + " images are named by ID.")
        Path file;
    }

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PNGs (created if"
            + " missing).")
    Path out;

    @Option(names = "--negative", paramLabel = "TEXT", description = "Negative prompt: what guidance steers away"
            + " from (default: empty).")
    String negative;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the first image; image K uses N+K"
            + " (default: 0).")
    Long seed;

    @Option(names = "--count", paramLabel = "K", description = "Images per prompt, 1 to 64 (default: 1).")
    Integer count;

    @Option(names = "--steps", paramLabel = "N", description = "Sampling steps, 1 to the model's schedule length"
            + " (default: the pipeline's, else 20).")
    Integer steps;

    @Option(names = "--sampler", paramLabel = "NAME", description = "ddpm, ddim, euler, euler-ancestral, heun,"
            + " dpm-solver++ (diffusion), categorical (image tokens) or a plugin's (default: the pipeline's).")
    String sampler;

    @Option(names = "--guidance", paramLabel = "G", description = "Classifier-free guidance scale, >= 0; 1 is none"
            + " (default: the pipeline's, else 5; pictor zoo info NAME).")
    Double guidance;

    @Option(names = "--guidance-rescale", paramLabel = "PHI", description = "Pulls the guided prediction's scale back"
            + " toward the conditional one's, 0 (off) to 1; 0.7 is usual (default: the pipeline's, else 0).")
    Double guidanceRescale;

    @Option(names = "--init-image", paramLabel = "PNG", description = "img2img: start from this image (the"
            + " pipeline's size).")
    Path initImage;

    @Option(names = "--strength", paramLabel = "S", description = "img2img: how much to redraw, 0 (keep) to 1"
            + " (default: 0.8).")
    Double strength;

    @Option(names = "--mask", paramLabel = "PNG", description = "Inpainting: black keeps, white regenerates;"
            + " same size as --init-image.")
    Path mask;

    @Option(names = "--upscale", description = "2× upsampling: --init-image is half the pipeline's size; it is"
            + " enlarged and redrawn at --strength (default 0.5).")
    boolean upscale;

    @Option(names = "--rerank", paramLabel = "N", description = "Draw N candidates for each image and keep the one"
            + " CLIP finds closest to the prompt, 1 to 512 (default: 1, no reranking; the pipeline needs CLIP's text"
            + " and image encoders).")
    Integer rerank;

    @Option(names = "--grid", description = "Also write DIR/grid.png with every image.")
    boolean grid;

    @Override
    public Integer call() {
        Map<String, Object> options = new LinkedHashMap<>();
        put(options, "prompt", prompts.prompt);
        put(options, "prompts", prompts.file);
        put(options, "out", out);
        put(options, "negative", negative);
        put(options, "seed", seed);
        put(options, "count", count);
        put(options, "steps", steps);
        put(options, "sampler", sampler);
        put(options, "guidance", guidance);
        put(options, "guidanceRescale", guidanceRescale);
        put(options, "initImage", initImage);
        put(options, "strength", strength);
        put(options, "mask", mask);
        put(options, "upscale", upscale ? Boolean.TRUE : null);
        put(options, "rerank", rerank);
        put(options, "grid", grid ? Boolean.TRUE : null);
        Path cwd = Path.of("").toAbsolutePath();
        ZooEntry entry = cli.pictor().zoo(pipeline);
        GenerateRequest request = GenerateRequest.from(GenerateRequest.withDefaults(TaskOptions.of("generate", options,
                GenerateRequest.OPTIONS), entry.pipeline()), cwd);
        LoadedPipeline p = cli.pictor().open(entry);
        Cancellation cancellation = new Cancellation();
        ProgressListener bar = ProgressBar.forTerminal(cli.err(), cli.quiet());
        Thread worker = Thread.currentThread();
        // Ctrl-C: stop at the next step and let this thread finish; files are written whole or not at all
        Thread onInterrupt = new Thread(() -> {
            cancellation.cancel();
            try {
                worker.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pictor-cancel");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            Generate.Result result = Generate.run(new TaskContext(cli.pictor(), cli.out(), cwd, bar, cancellation), p,
                    request, SamplingHooks.none().withProgress(bar).withCancellation(cancellation));
            ProgressBar.finish(bar);
            result.warnings().forEach(w -> cli.err().println("warning: " + w));
            for (Generate.Image image : result.images()) {
                cli.out().println(image.file());
            }
            result.grid().ifPresent(cli.out()::println);
        } finally {
            ProgressBar.finish(bar);
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for this thread
            }
        }
        cli.out().flush();
        return 0;
    }

    private static void put(Map<String, Object> options, String key, Object value) {
        if (value != null) {
            options.put(key, value);
        }
    }
}
