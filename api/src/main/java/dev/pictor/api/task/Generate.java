package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.artifact.Artifact;
import dev.pictor.api.diffusion.DiffusionRequest;
import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.diffusion.GuidanceLoop;
import dev.pictor.api.diffusion.SamplingHooks;
import dev.pictor.api.image.Images;
import dev.pictor.api.image.Png;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.ContinuousQuantizer;
import dev.pictor.api.spi.Denoiser;
import dev.pictor.api.spi.DiffusionDenoiser;
import dev.pictor.api.spi.DiffusionSampler;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Quantizer;
import dev.pictor.api.spi.Sampler;
import dev.pictor.api.spi.TokenBatch;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The {@code generate} task, written once: prompts → images through a diffusion pipeline (tokenizer and encoder for
 * the condition, the {@link GuidanceLoop} with the pipeline's sampler, the quantizer's decoder when the model works
 * in latents), with img2img and inpainting, written as PNGs carrying their provenance. {@code pictor generate}, the
 * DSL's {@code generate} and Java call this.
 *
 * <p>Each image is written atomically as soon as its batch is done, so a cancelled run keeps the finished images
 * and leaves no partial file. The same request, pipeline and machine give the same bytes.
 *
 * <pre>{@code
 * GenerateRequest r = GenerateRequest.from(TaskOptions.of("generate", Map.of("prompt", "a red circle", "out", "out"),
 *         GenerateRequest.OPTIONS), Path.of("."));
 * Generate.Result result = Generate.run(context, pipeline, r, SamplingHooks.none());
 * }</pre>
 */
public final class Generate {
    private Generate() {
    }

    /**
     * One written image.
     *
     * @param prompt   its prompt
     * @param index    k of the prompt's {@code count}
     * @param seed     the seed it was drawn from
     * @param image    the pixels
     * @param metadata the PNG text entries
     * @param file     where it was written
     */
    public record Image(GenerateRequest.Prompt prompt, int index, long seed, BufferedImage image,
            Map<String, String> metadata, Path file) {
    }

    /**
     * The images, in prompt order, the grid file when one was asked for, and warnings for the user (a prompt cut
     * to the tokenizer's context).
     */
    public record Result(List<Image> images, Optional<Path> grid, List<String> warnings) {
        public Result {
            images = List.copyOf(images);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Draws pictures for a prompt, as pixels {@code [rows, C, H, W]} in [-1, 1]. A diffusion pipeline runs the
     * {@link GuidanceLoop}; an image-token pipeline (DALL·E) the
     * {@link dev.pictor.api.autoregressive.AutoregressiveLoop} ({@link TokenImages}).
     */
    interface Drawer {
        /** Readies one prompt — its text encoded once, however many calls its candidates take. */
        Prompted prompt(GenerateRequest.Prompt prompt);

        /** Rows drawn in one call when {@code count} images with {@code candidates} candidates each are wanted. */
        int rowsPerCall(int count, int candidates);

        /** How the pictures are drawn, for the PNG metadata (sampler, steps, guidance, …). */
        Map<String, String> describe();
    }

    /** One readied prompt: {@code rows} pictures, row r from seed {@code seed + r}. */
    interface Prompted {
        INDArray draw(long seed, int rows, SamplingHooks hooks);
    }

    /** Generates and writes every image of the request. */
    public static Result run(TaskContext context, LoadedPipeline pipeline, GenerateRequest request,
            SamplingHooks hooks) {
        checkWritable(request.out());
        List<String> warnings = new ArrayList<>();
        Drawer drawer = pipeline.denoiser() instanceof dev.pictor.api.spi.ImageTokenDenoiser model
                ? TokenImages.drawer(context, pipeline, request, model, warnings::add)
                : diffusion(context, pipeline, request);
        int candidates = request.rerank();
        Rerank rerank = candidates > 1 ? Rerank.of(pipeline) : null;
        int count = request.count();
        int rows = count * candidates;
        int perCall = drawer.rowsPerCall(count, candidates);
        List<Image> images = new ArrayList<>();
        int prompts = request.prompts().size();
        long units = (long) prompts * rows;
        for (int i = 0; i < prompts; i++) {
            GenerateRequest.Prompt prompt = request.prompts().get(i);
            // candidate j of image k is row j·count + k, drawn from seed + row: without reranking, image k has
            // seed + k, and candidate 0 is that same picture
            BufferedImage[] best = new BufferedImage[count];
            long[] bestSeed = new long[count];
            double[] bestScore = new double[count];
            Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
            INDArray text = rerank == null ? null : rerank.text(prompt.text());
            Prompted prompted = drawer.prompt(prompt);
            for (int from = 0; from < rows; from += perCall) {
                int n = Math.min(perCall, rows - from);
                long done = (long) i * rows + from;
                SamplingHooks part = hooks.withProgress((stage, d, total) -> hooks.progress().onProgress(stage,
                        done * total + (long) d * n, units * total));
                INDArray pixels = prompted.draw(request.seed() + from, n, part);
                List<BufferedImage> drawn = new ArrayList<>(n);
                for (int r = 0; r < n; r++) {
                    drawn.add(Images.fromTensor(pixels.get(NDArrayIndex.point(r))));
                }
                double[] scores = rerank == null ? new double[n] : rerank.scores(text, drawn);
                for (int r = 0; r < n; r++) {
                    int k = (from + r) % count;
                    if (best[k] == null || scores[r] > bestScore[k]) {
                        best[k] = drawn.get(r);
                        bestSeed[k] = request.seed() + from + r;
                        bestScore[k] = scores[r];
                    }
                }
            }
            for (int k = 0; k < count; k++) {
                Map<String, String> meta = metadata(pipeline, request, prompt, drawer, bestSeed[k]);
                if (rerank != null) {
                    meta.put("rerank", "best of " + candidates + " by CLIP similarity to the prompt");
                    meta.put("clip score", String.format(Locale.ROOT, "%.4f", bestScore[k]));
                }
                Path file = request.fileOf(prompt, k);
                Png.write(file, best[k], meta);
                images.add(new Image(prompt, k, bestSeed[k], best[k], meta, file));
            }
        }
        Optional<Path> grid = Optional.empty();
        if (request.grid()) {
            Path file = request.out().resolve("grid.png");
            List<String> captions = images.stream().map(im -> im.prompt().id() + " · seed " + im.seed()).toList();
            Png.write(file, Images.grid(images.stream().map(Image::image).toList(), request.count(),
                    Math.max(1, 128 / Math.max(1, images.get(0).image().getWidth())), captions),
                    Map.of("pipeline", pipeline.pipeline().name(), "Software", "Pictor"));
            grid = Optional.of(file);
        }
        return new Result(images, grid, warnings);
    }

    /** The diffusion pipeline's drawer: img2img, inpainting and upscaling as the request asks. */
    private static Drawer diffusion(TaskContext context, LoadedPipeline pipeline, GenerateRequest request) {
        Denoiser denoiser = pipeline.denoiser();
        if (!(denoiser instanceof DiffusionDenoiser model)) {
            throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "' has an autoregressive denoiser"
                    + " that does not draw image tokens after a text: generate runs diffusion and image-token"
                    + " (DALL·E) pipelines");
        }
        DiffusionSampler sampler = sampler(context, pipeline, request);
        Optional<ContinuousQuantizer> quantizer = quantizer(pipeline);
        boolean conditional = !pipeline.pipeline().components(ComponentKind.ENCODER).isEmpty();
        Condition negative = conditional && request.guidance() != 1 ? condition(pipeline, request.negative())
                : Condition.none();
        Optional<BufferedImage> initImage = request.initImage().map(p -> readImage(p, "initial image"))
                .map(im -> request.upscale() ? enlarge(im, request.initImage().get(), model, quantizer) : im);
        // every call draws `count` rows (candidate j of every image), so the initial image's arrays have that many
        INDArray init = initImage.map(im -> initLatents(im, request.initImage().get(), model, quantizer, request))
                .orElse(null);
        Optional<BufferedImage> maskImage = request.mask().map(p -> readImage(p, "mask"));
        INDArray mask = maskImage.map(m -> maskLatents(m, request.mask().get(), initImage.orElseThrow(), model))
                .orElse(null);
        // A latent model regenerates whole latent cells and its decoder only approximates the rest: the initial
        // image is pasted back wherever the mask keeps it, so unmasked pixels stay exactly as given.
        INDArray keep = mask != null && quantizer.isPresent() ? keepMask(maskImage.get(), quantizer.get(),
                request.count()) : null;
        INDArray kept = keep != null ? initPixels(initImage.get(), quantizer.get(), request.count()) : null;
        return new Drawer() {
            @Override
            public Prompted prompt(GenerateRequest.Prompt prompt) {
                Condition condition = conditional ? condition(pipeline, prompt.text()) : Condition.none();
                return (seed, rows, hooks) -> {
                    DiffusionRequest.Builder b = DiffusionRequest.builder(rows).seed(seed).steps(request.steps())
                            .guidance(request.guidance()).guidanceRescale(request.guidanceRescale())
                            .negative(negative).condition(condition);
                    if (init != null) {
                        b.init(init, request.strength());
                    }
                    if (mask != null) {
                        b.inpaint(mask, init);
                    }
                    INDArray samples = GuidanceLoop.run(model, sampler, b.build(), hooks);
                    INDArray pixels = quantizer.map(q -> q.decode(samples)).orElse(samples);
                    if (keep != null) {
                        INDArray generated = pixels.castTo(DataType.FLOAT);
                        pixels = generated.add(kept.sub(generated).mul(keep));
                    }
                    return pixels;
                };
            }

            @Override
            public int rowsPerCall(int count, int candidates) {
                return count;
            }

            @Override
            public Map<String, String> describe() {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("negative prompt", request.negative());
                m.put("steps", Integer.toString(request.steps()));
                m.put("sampler", sampler.name());
                m.put("guidance", format(request.guidance()));
                if (request.guidanceRescale() != 0) {
                    m.put("guidance rescale", format(request.guidanceRescale()));
                }
                return m;
            }
        };
    }

    private static void checkWritable(Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("output folder " + out + " cannot be created: " + e.getMessage()
                    + " (give a writable folder)");
        }
        if (!Files.isDirectory(out) || !Files.isWritable(out)) {
            throw new BadInputException("output folder " + out + " cannot be written: give a writable folder");
        }
    }

    /**
     * The sampler a request names, else the pipeline's own; {@code example} is what the message suggests when there is
     * neither.
     */
    static Sampler samplerOf(TaskContext context, LoadedPipeline pipeline, GenerateRequest request, String example) {
        if (request.sampler().isPresent()) {
            String name = request.sampler().get();
            return context.pictor().plugins().factory(ComponentKind.SAMPLER, name).create(new ComponentConfig(
                    ComponentKind.SAMPLER, name, Map.of(), null));
        }
        if (!pipeline.pipeline().components(ComponentKind.SAMPLER).isEmpty()) {
            return pipeline.sampler();
        }
        throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "' names no sampler: choose one"
                + " (--sampler / sampler:, e.g. " + example + ")");
    }

    private static DiffusionSampler sampler(TaskContext context, LoadedPipeline pipeline, GenerateRequest request) {
        Sampler s = samplerOf(context, pipeline, request, "dpm-solver++");
        if (!(s instanceof DiffusionSampler d)) {
            throw new BadInputException("sampler '" + s.name() + "' chooses tokens, not diffusion steps: use a"
                    + " diffusion sampler (ddim, euler, dpm-solver++, …)");
        }
        return d;
    }

    private static Optional<ContinuousQuantizer> quantizer(LoadedPipeline pipeline) {
        if (pipeline.pipeline().components(ComponentKind.QUANTIZER).isEmpty()) {
            return Optional.empty();   // the model works on pixels
        }
        Quantizer q = pipeline.quantizer();
        if (!(q instanceof ContinuousQuantizer c)) {
            throw new BadInputException("quantizer '" + q.name() + "' gives code ids: a diffusion pipeline needs a"
                    + " continuous one (an autoencoder)");
        }
        return Optional.of(c);
    }

    /**
     * The condition for one prompt: the encoder's token states and mask. The empty text is encoded like any other
     * where the tokenizer has a form for it (CLIP's is its start and end tokens, what classifier-free guidance
     * trains the unconditional branch on); a tokenizer that refuses empty text (a word tokenizer) gets the
     * denoiser's unconditional call instead, {@link Condition#none()}.
     */
    static Condition condition(LoadedPipeline pipeline, String text) {
        Encoder<TokenBatch> encoder = pipeline.encoder(TokenBatch.class);
        TokenBatch batch;
        try {
            batch = pipeline.tokenizer().encodeBatch(List.of(text));
        } catch (BadInputException e) {
            if (text.isBlank()) {
                return Condition.none();
            }
            throw e;
        }
        // the pooled vector too where the encoder has one: a UNet with adm_in_channels adds it to its embedding
        var wanted = EnumSet.of(Encoder.Output.TOKENS, Encoder.Output.MASK, Encoder.Output.POOLED);
        wanted.retainAll(encoder.outputs());
        wanted.add(Encoder.Output.TOKENS);
        return encoder.encode(batch, wanted).condition();
    }

    private static BufferedImage readImage(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(what + " not found: " + file);
        }
        return Png.read(file);
    }

    /** The initial image as samples for the model: pixels, or a seeded draw of the autoencoder's latents. */
    private static INDArray initLatents(BufferedImage image, Path file, DiffusionDenoiser model,
            Optional<ContinuousQuantizer> quantizer, GenerateRequest request) {
        long[] imageShape = {3, image.getHeight(), image.getWidth()};
        long[] sample = quantizer.map(q -> q.latentShape(imageShape)).orElse(imageShape);
        if (!Arrays.equals(sample, model.sampleShape())) {
            throw new BadInputException("initial image " + file + " is " + image.getWidth() + "x" + image.getHeight()
                    + " but the pipeline makes images of another size (samples " + Arrays.toString(
                    model.sampleShape()) + "): give an image of the pipeline's size");
        }
        INDArray x = quantizer.isPresent() ? initPixels(image, quantizer.get(), request.count())
                : Images.toTensor(image).reshape(1, 3, image.getHeight(), image.getWidth()).repeat(0,
                request.count());
        return quantizer.map(q -> q.encode(x, GaussianNoise.forSeeds(request.seed() ^ 0x1A1A1A1AL, request.count())))
                .orElse(x);
    }

    /**
     * 2× upsampling: the small image enlarged bicubically to the pipeline's size, which img2img then redraws at the
     * request's strength (SDEdit: the model puts back the detail that interpolation blurs).
     */
    private static BufferedImage enlarge(BufferedImage small, Path file, DiffusionDenoiser model,
            Optional<ContinuousQuantizer> quantizer) {
        long[] s = model.sampleShape();
        // pixels per sample cell: the quantizer's downsampling factor (1 for a pixel-space model)
        int factor = quantizer.map(q -> 64 / (int) q.latentShape(new long[] {q.imageChannels(), 64, 64})[1])
                .orElse(1);
        int h = (int) s[s.length - 2] * factor;
        int w = (int) s[s.length - 1] * factor;
        if (small.getWidth() * 2 != w || small.getHeight() * 2 != h) {
            throw new BadInputException("upscale doubles an image to the pipeline's " + w + "x" + h + ": " + file
                    + " is " + small.getWidth() + "x" + small.getHeight() + ", give one of " + w / 2 + "x" + h / 2);
        }
        BufferedImage big = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(small, 0, 0, w, h, null);
        g.dispose();
        return big;
    }

    /** The image as the quantizer takes it ({@code count} copies; grey models get the channels' mean). */
    private static INDArray initPixels(BufferedImage image, ContinuousQuantizer q, int count) {
        INDArray x = Images.toTensor(image).reshape(1, 3, image.getHeight(), image.getWidth());
        if (q.imageChannels() == 1) {
            x = x.mean(true, 1);
        }
        return x.repeat(0, count);
    }

    /** 1 where the mask (full resolution) keeps the image, 0 where it regenerates; shaped as the decoded batch. */
    private static INDArray keepMask(BufferedImage m, ContinuousQuantizer q, int count) {
        int h = m.getHeight();
        int w = m.getWidth();
        float[] keep = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                keep[y * w + x] = (m.getRGB(x, y) & 0xFFFFFF) == 0 ? 1f : 0f;
            }
        }
        return Nd4j.create(keep, new long[] {1, 1, h, w}, 'c').broadcast(count, q.imageChannels(), h, w);
    }

    /** The mask at the samples' resolution: a cell is regenerated if any of its pixels is white. */
    private static INDArray maskLatents(BufferedImage m, Path file, BufferedImage init, DiffusionDenoiser model) {
        if (m.getWidth() != init.getWidth() || m.getHeight() != init.getHeight()) {
            throw new BadInputException("mask " + file + " is " + m.getWidth() + "x" + m.getHeight() + " but the"
                    + " initial image is " + init.getWidth() + "x" + init.getHeight() + ": give a mask of the same size");
        }
        long[] s = model.sampleShape();
        int h = (int) s[s.length - 2];
        int w = (int) s[s.length - 1];
        int fy = m.getHeight() / h;
        int fx = m.getWidth() / w;
        float[] cells = new float[h * w];
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); x++) {
                int rgb = m.getRGB(x, y) & 0xFFFFFF;
                if (rgb != 0 && rgb != 0xFFFFFF) {
                    throw new BadInputException("mask " + file + " is not binary: pixel (" + x + ", " + y + ") is #"
                            + String.format(Locale.ROOT, "%06X", rgb) + "; use black (keep) and white (regenerate)");
                }
                if (rgb != 0) {
                    cells[Math.min(h - 1, y / fy) * w + Math.min(w - 1, x / fx)] = 1;
                }
            }
        }
        return Nd4j.create(cells, new long[] {1, 1, h, w}, 'c').castTo(DataType.FLOAT);
    }

    private static Map<String, String> metadata(LoadedPipeline pipeline, GenerateRequest r,
            GenerateRequest.Prompt prompt, Drawer drawer, long seed) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("prompt", prompt.text());
        m.put("seed", Long.toString(seed));
        m.putAll(drawer.describe());
        m.put("pipeline", pipeline.pipeline().name());
        List<Artifact> artifacts = pipeline.pipeline().artifacts();
        m.put("weights", artifacts.isEmpty() ? "none (components built from settings)"
                : artifacts.stream().map(a -> a.name() + " sha256:" + a.sha256()).collect(Collectors.joining(", ")));
        r.initImage().ifPresent(p -> {
            m.put("init image", p.getFileName().toString());
            m.put("strength", format(r.strength()));
        });
        r.mask().ifPresent(p -> m.put("mask", p.getFileName().toString()));
        if (r.upscale()) {
            m.put("upscale", "2x from the init image");
        }
        m.put("Software", "Pictor");
        return m;
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
