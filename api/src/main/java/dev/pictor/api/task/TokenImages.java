package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.autoregressive.AutoregressiveLoop;
import dev.pictor.api.autoregressive.DecodingRequest;
import dev.pictor.api.autoregressive.TokenRange;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.DiscreteQuantizer;
import dev.pictor.api.spi.ImageTokenDenoiser;
import dev.pictor.api.spi.Sampler;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.TokenSampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code generate} for an image-token pipeline (DALL·E): the prompt's tokens as the model lays them out, then the
 * code grid drawn token by token through the {@link AutoregressiveLoop} (its key/value cache, image positions
 * restricted to image tokens, the pipeline's token sampler — top-k, top-p, temperature — and classifier-free
 * guidance against the negative prompt when {@code guidance} is not 1), then the dVAE's decoder. A prompt longer
 * than the tokenizer's context is cut, with a warning.
 */
final class TokenImages {
    /** Sequences decoded together: the key/value cache of 64 short sequences is small; more gains little. */
    static final int BATCH = 64;

    private TokenImages() {
    }

    static Generate.Drawer drawer(TaskContext context, LoadedPipeline pipeline, GenerateRequest request,
            ImageTokenDenoiser model, Consumer<String> warn) {
        String name = pipeline.pipeline().name();
        if (request.initImage().isPresent()) {
            throw new BadInputException("pipeline '" + name + "' draws image tokens: img2img, inpainting and"
                    + " upscaling need a diffusion pipeline (e.g. shapes-ldm)");
        }
        TokenSampler sampler = sampler(context, pipeline, request);
        if (pipeline.pipeline().components(ComponentKind.QUANTIZER).isEmpty()
                || !(pipeline.quantizer() instanceof DiscreteQuantizer dvae)) {
            throw new BadInputException("pipeline '" + name + "' draws image tokens but has no quantizer that turns"
                    + " codes into pixels (a discrete one: a dVAE)");
        }
        TokenRange codes = model.imageTokens();
        if (codes.size() != dvae.codebookSize()) {
            throw new BadInputException("pipeline '" + name + "': the transformer draws " + codes.size()
                    + " codes but the dVAE has " + dvae.codebookSize());
        }
        long[] grid = model.codeGrid();
        int tokens = (int) (grid[0] * grid[1]);
        INDArray negative = request.guidance() == 1 ? null : prefix(pipeline, model, request.negative(), warn);
        return new Generate.Drawer() {
            @Override
            public Generate.Prompted prompt(GenerateRequest.Prompt prompt) {
                INDArray text = prefix(pipeline, model, prompt.text(), warn);   // one warning a prompt
                return (seed, rows, hooks) -> {
                    DecodingRequest.Builder b = DecodingRequest.builder(text.repeat(0, rows), tokens).seed(seed)
                            .allowed(p -> codes);
                    if (negative != null) {
                        b.guidance(request.guidance(), negative.repeat(0, rows));
                    }
                    long[][] ids = AutoregressiveLoop.run(model, sampler, b.build(), hooks.progress(),
                            hooks.cancellation());
                    long[] flat = new long[rows * tokens];
                    for (int r = 0; r < rows; r++) {
                        for (int t = 0; t < tokens; t++) {
                            flat[r * tokens + t] = ids[r][t] - codes.from();
                        }
                    }
                    return dvae.decode(Nd4j.createFromArray(flat).reshape(rows, grid[0], grid[1]));
                };
            }

            @Override
            public int rowsPerCall(int count, int candidates) {
                return Math.min(count * candidates, Math.max(count, BATCH / count * count));
            }

            @Override
            public Map<String, String> describe() {
                Map<String, String> m = new LinkedHashMap<>();
                if (request.guidance() != 1) {
                    m.put("negative prompt", request.negative());
                }
                m.put("steps", tokens + " image tokens");
                m.put("sampler", sampler.toString());
                m.put("guidance", Generate.format(request.guidance()));
                return m;
            }
        };
    }

    /** The text positions of one prompt, a warning when the tokenizer cut it. {@code [1, N]}. */
    private static INDArray prefix(LoadedPipeline pipeline, ImageTokenDenoiser model, String text,
            Consumer<String> warn) {
        TokenBatch batch = pipeline.tokenizer().encodeBatch(List.of(text));
        if (batch.encodings().get(0).truncated()) {
            warn.accept("the prompt '" + text + "' is longer than the " + batch.length() + " text positions of"
                    + " pipeline '" + pipeline.pipeline().name() + "': it was cut to " + batch.encodings().get(0)
                    .tokens());
        }
        return model.prefix(batch);
    }

    private static TokenSampler sampler(TaskContext context, LoadedPipeline pipeline, GenerateRequest request) {
        Sampler s = Generate.samplerOf(context, pipeline, request, "categorical");
        if (!(s instanceof TokenSampler t)) {
            throw new BadInputException("sampler '" + s.name() + "' takes diffusion steps; pipeline '"
                    + pipeline.pipeline().name() + "' draws tokens: use a token sampler (categorical)");
        }
        return t;
    }
}
