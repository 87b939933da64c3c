package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.Pictor;
import dev.pictor.api.image.Images;
import dev.pictor.api.image.Png;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.task.Generate;
import dev.pictor.api.task.GenerateRequest;
import dev.pictor.api.task.ImageSet;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.dsl.ScriptRunner;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code generate} on an image-token (DALL·E) pipeline, end to end, on tiny models the DSL's own verbs train for two
 * steps (trainDvae, trainClip, trainDalle): the text as the transformer lays it out, image tokens only at image
 * positions, the dVAE's decoder, PNG metadata, the same bytes for the same seed, classifier-free guidance, CLIP
 * reranking that keeps the best-scoring candidate, bad input, and a cancelled run. The trained zoo model's quality is
 * evalShapesGeneration's (zoo/recipes/dalle-eval.groovy).
 */
class DalleGenerateTest {
    @TempDir
    static Path models;

    @BeforeAll
    static void trainTinyModels() throws Exception {
        Path script = Files.writeString(models.resolve("tiny.groovy"), """
                device cpu(threads: 2)
                def d = args[0]
                trainDvae data: 'shapes', steps: 2, batch: 4, groups: 3, hid: 16, vocab: 32, init: 16, evaluate: 4,
                        into: "$d/dvae"
                trainClip data: 'shapes', steps: 2, batch: 4, vocab: 600, context: 12, patch: 8, width: 32,
                        layers: 1, heads: 2, textWidth: 32, textLayers: 1, embed: 16, into: "$d/clip"
                trainDalle dvae: "$d/dvae", bpe: "$d/clip/bpe.txt", context: 12, width: 32, layers: 1, heads: 2,
                        steps: 2, batch: 4, into: "$d/transformer"
                """);
        try (Pictor pictor = Pictor.builder().build()) {
            new ScriptRunner(pictor, System.out, System.err).run(script, List.of(models.toString()));
        }
    }

    static Pipeline pipeline(Map<String, ?> sampler) {
        Path t = models.resolve("transformer");
        Path v = models.resolve("dvae");
        Path c = models.resolve("clip");
        return Pipeline.builder("text-to-image").name("tiny-dalle")
                .component(ComponentKind.TOKENIZER, "clip-bpe", null, Map.of("merges", t.resolve("bpe.txt").toString(),
                        "contextLength", 12))
                .component(ComponentKind.DENOISER, "dalle", null, Map.of("weights",
                        t.resolve("model.safetensors").toString(), "config", t.resolve("config.json").toString()))
                .component(ComponentKind.QUANTIZER, "dvae", null, Map.of("weights",
                        v.resolve("model.safetensors").toString(), "config", v.resolve("config.json").toString()))
                .component(ComponentKind.ENCODER, "clip-text", "text", Map.of("weights",
                        c.resolve("model.safetensors").toString(), "config", c.resolve("config.json").toString()))
                .component(ComponentKind.ENCODER, "clip-image", "image", Map.of("weights",
                        c.resolve("model.safetensors").toString(), "config", c.resolve("config.json").toString()))
                .component(ComponentKind.SAMPLER, "categorical", null, sampler)
                .build();
    }

    static Generate.Result generate(Pictor pictor, LoadedPipeline p, Path out, Map<String, Object> options) {
        Map<String, Object> all = new LinkedHashMap<>(options);
        all.put("out", out.toString());
        GenerateRequest r = GenerateRequest.from(TaskOptions.of("generate", all, GenerateRequest.OPTIONS), out);
        return Generate.run(new TaskContext(pictor, System.out, out, dev.pictor.api.run.ProgressListener.NONE,
                new dev.pictor.api.run.Cancellation()), p, r, dev.pictor.api.diffusion.SamplingHooks.none());
    }

    @Test
    void drawsCodesIntoPicturesWithTheirMetadataAndTheSameBytesForTheSameSeed(@TempDir Path dir) throws Exception {
        try (Pictor pictor = Pictor.builder().build(); LoadedPipeline p = pictor.open(pipeline(Map.of("topK", 8)))) {
            var first = generate(pictor, p, dir.resolve("a"), Map.of("prompt", "a red circle", "count", 3, "seed", 4,
                    "grid", true));
            var second = generate(pictor, p, dir.resolve("b"), Map.of("prompt", "a red circle", "count", 3, "seed",
                    4));
            assertThat(first.images()).hasSize(3);
            assertThat(first.grid()).isPresent();
            for (int k = 0; k < 3; k++) {
                Path a = dir.resolve("a").resolve("0-" + k + ".png");
                assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(dir.resolve("b").resolve("0-" + k
                        + ".png")));
                BufferedImage im = Png.read(a);
                assertThat(im.getWidth()).isEqualTo(32);
                Map<String, String> meta = Png.readText(a);
                assertThat(meta).containsEntry("prompt", "a red circle").containsEntry("seed", Long.toString(4 + k))
                        .containsEntry("pipeline", "tiny-dalle").containsEntry("steps", "64 image tokens")
                        .containsEntry("sampler", "categorical(temperature 1.0, topK 8, topP 1.0)")
                        .containsEntry("guidance", "5");
                assertThat(meta).containsKey("negative prompt");
            }
            assertThat(Files.readAllBytes(dir.resolve("a").resolve("0-0.png")))
                    .isNotEqualTo(Files.readAllBytes(dir.resolve("a").resolve("0-1.png")));
            // guidance 1 decodes from the prompt alone: another picture, and no negative prompt recorded
            generate(pictor, p, dir.resolve("c"), Map.of("prompt", "a red circle", "seed", 4, "guidance", 1));
            assertThat(Png.readText(dir.resolve("c").resolve("0.png"))).containsEntry("guidance", "1")
                    .doesNotContainKey("negative prompt");
        }
    }

    @Test
    void rerankingKeepsTheCandidateClipScoresHighest(@TempDir Path dir) throws Exception {
        try (Pictor pictor = Pictor.builder().build(); LoadedPipeline p = pictor.open(pipeline(Map.of()))) {
            String prompt = "a blue square above a red circle";
            generate(pictor, p, dir.resolve("reranked"), Map.of("prompt", prompt, "count", 2, "rerank", 3, "seed", 5,
                    "guidance", 1));
            // the six candidates: rows 0…5 of one batch from seed 5, as reranking draws them
            generate(pictor, p, dir.resolve("all"), Map.of("prompt", prompt, "count", 6, "seed", 5, "guidance", 1));
            @SuppressWarnings("unchecked")
            Encoder<TokenBatch> text = (Encoder<TokenBatch>) p.role("text");
            @SuppressWarnings("unchecked")
            Encoder<INDArray> image = (Encoder<INDArray>) p.role("image");
            INDArray t = ImageSet.unit(text.encode(p.tokenizer().encodeBatch(List.of(prompt)),
                    Set.of(Encoder.Output.PROJECTED)).get(Encoder.Output.PROJECTED));
            double[] scores = new double[6];
            for (int r = 0; r < 6; r++) {
                BufferedImage im = Png.read(dir.resolve("all").resolve("0-" + r + ".png"));
                INDArray v = ImageSet.unit(image.encode(Images.toTensor(im).reshape(1, 3, 32, 32),
                        Set.of(Encoder.Output.PROJECTED)).get(Encoder.Output.PROJECTED));
                scores[r] = v.mmul(t.transpose()).getDouble(0);
            }
            for (int k = 0; k < 2; k++) {
                Path chosen = dir.resolve("reranked").resolve("0-" + k + ".png");
                Map<String, String> meta = Png.readText(chosen);
                int row = (int) (Long.parseLong(meta.get("seed")) - 5);
                assertThat(row % 2).as("image %d keeps one of its own candidates", k).isEqualTo(k);
                // the same pixels (the file also records the reranking)
                assertThat(Images.toRgb(Png.read(chosen))).isEqualTo(Images.toRgb(Png.read(dir.resolve("all")
                        .resolve("0-" + row + ".png"))));
                for (int j = 0; j < 3; j++) {
                    assertThat(scores[row]).as("candidate %d of image %d", j, k)
                            .isGreaterThanOrEqualTo(scores[j * 2 + k] - 1e-6);
                }
                assertThat(Double.parseDouble(meta.get("clip score"))).isCloseTo(scores[row],
                        org.assertj.core.data.Offset.offset(1e-3));
                assertThat(meta).containsEntry("rerank", "best of 3 by CLIP similarity to the prompt");
            }
        }
    }

    @Test
    void emptyLongAndUnknownPromptsAndBadOptions(@TempDir Path dir) throws Exception {
        try (Pictor pictor = Pictor.builder().build(); LoadedPipeline p = pictor.open(pipeline(Map.of()))) {
            assertThat(generate(pictor, p, dir.resolve("empty"), Map.of("prompt", "")).images()).hasSize(1);
            assertThat(generate(pictor, p, dir.resolve("unknown"), Map.of("prompt", "a zorblax qwfp circle"))
                    .images()).hasSize(1);
            String longPrompt = "a small red circle above a large blue square and a green triangle on the left";
            var cut = generate(pictor, p, dir.resolve("long"), Map.of("prompt", longPrompt));
            assertThat(cut.warnings()).singleElement().asString().contains("the prompt '" + longPrompt
                    + "' is longer than the 12 text positions of pipeline 'tiny-dalle'");
            // once a prompt, however many calls its candidates take (80 rows, drawn 64 at a time)
            assertThat(generate(pictor, p, dir.resolve("long-reranked"), Map.of("prompt", longPrompt, "count", 2,
                    "rerank", 40)).warnings()).hasSize(1);
            assertThatThrownBy(() -> generate(pictor, p, dir.resolve("bad"), Map.of("prompt", "a red circle",
                    "initImage", dir.resolve("empty").resolve("0.png").toString())))
                    .isInstanceOf(dev.pictor.api.BadInputException.class)
                    .hasMessageContaining("img2img, inpainting and upscaling need a diffusion pipeline");
            assertThatThrownBy(() -> generate(pictor, p, dir.resolve("bad"), Map.of("prompt", "a red circle",
                    "sampler", "ddim"))).isInstanceOf(dev.pictor.api.BadInputException.class)
                    .hasMessageContaining("takes diffusion steps");
            assertThatThrownBy(() -> generate(pictor, p, dir.resolve("bad"), Map.of("prompt", "a red circle",
                    "rerank", 0))).isInstanceOf(dev.pictor.api.BadInputException.class)
                    .hasMessageContaining("must lie in [1, 512]");
        }
    }

    @Test
    void cancellingMidDecodingKeepsFinishedImagesAndLeavesNoPartialFile(@TempDir Path dir) throws Exception {
        Path prompts = Files.writeString(dir.resolve("two.tsv"), "first\ta red circle\nsecond\ta blue square\n");
        dev.pictor.api.run.Cancellation cancel = new dev.pictor.api.run.Cancellation();
        Path out = dir.resolve("cancelled");
        try (Pictor pictor = Pictor.builder().build(); LoadedPipeline p = pictor.open(pipeline(Map.of()))) {
            GenerateRequest r = GenerateRequest.from(TaskOptions.of("generate", Map.of("prompts", prompts.toString(),
                    "out", out.toString(), "guidance", 1), GenerateRequest.OPTIONS), dir);
            // 64 tokens a prompt: stop halfway through the second
            var hooks = dev.pictor.api.diffusion.SamplingHooks.none().withCancellation(cancel)
                    .withProgress((stage, done, total) -> {
                        if (done == 96) {
                            cancel.cancel();
                        }
                    });
            assertThatThrownBy(() -> Generate.run(new TaskContext(pictor, System.out, dir,
                    dev.pictor.api.run.ProgressListener.NONE, cancel), p, r, hooks))
                    .isInstanceOf(dev.pictor.api.run.CancelledException.class);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(f -> f.getFileName().toString()).toList()).containsExactly("first.png");
        }
    }
}
