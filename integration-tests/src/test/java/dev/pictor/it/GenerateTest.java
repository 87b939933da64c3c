package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.image.Png;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.dsl.ScriptRunner;
import dev.pictor.it.oracle.ShapesOraclePlugin;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code pictor generate} and the DSL's {@code generate} end to end, on a pipeline whose right answer is known: the
 * test-only oracle of the Shapes world ({@link ShapesOraclePlugin}) predicts each prompt's exact picture, so every
 * sampler must write that picture.
 */
class GenerateTest {
    @TempDir
    Path dir;

    static ThirdPartyPluginTest.Result cli(Path dir, String... args) throws Exception {
        Path none = Files.createDirectories(dir.resolve("no-plugins"));
        List<String> all = new ArrayList<>(List.of("--plugins", none.toString(), "generate", "--pipeline",
                "shapes-oracle"));
        all.addAll(List.of(args));
        return ThirdPartyPluginTest.cli(all.toArray(String[]::new));
    }

    Path prompts(int... scenes) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i : scenes) {
            sb.append("s").append(i).append('\t').append(ShapesOraclePlugin.WORLD.scene(i).prompt()).append('\n');
        }
        return Files.writeString(dir.resolve("prompts.tsv"), sb.toString());
    }

    /** The exact render of scene i, as the PNG holds it. */
    static BufferedImage expected(int scene) {
        return dev.pictor.api.image.Images.fromTensor(ShapesOraclePlugin.render(ShapesOraclePlugin.WORLD.scene(scene)));
    }

    static int largestGap(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        int worst = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    worst = Math.max(worst, Math.abs((a.getRGB(x, y) >> shift & 0xFF) - (b.getRGB(x, y) >> shift & 0xFF)));
                }
            }
        }
        return worst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddpm", "ddim", "euler", "euler-ancestral", "heun", "dpm-solver++"})
    void everySamplerWritesThePromptsExactPicture(String sampler) throws Exception {
        Path out = dir.resolve("out");
        var r = cli(dir, "--prompts", prompts(0, 1, 2).toString(), "--out", out.toString(), "--sampler", sampler,
                "--steps", "12", "--guidance", "1", "--count", "2", "--seed", "5");
        assertThat(r.code()).as(r.err()).isZero();
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 2; k++) {
                Path png = out.resolve("s" + i + "-" + k + ".png");
                assertThat(r.out()).contains(png.toString());
                assertThat(largestGap(Png.read(png), expected(i))).as("%s, scene %d, image %d", sampler, i, k)
                        .isLessThanOrEqualTo(2);
                Map<String, String> meta = Png.readText(png);
                assertThat(meta).containsEntry("prompt", ShapesOraclePlugin.WORLD.scene(i).prompt())
                        .containsEntry("seed", Integer.toString(5 + k)).containsEntry("steps", "12")
                        .containsEntry("sampler", sampler).containsEntry("guidance", "1")
                        .containsEntry("pipeline", "shapes-oracle").containsEntry("negative prompt", "")
                        .containsKey("weights");
                assertThat(meta.get("weights")).contains("shapes-words.vocab sha256:94bffd9d");
            }
        }
    }

    @Test
    void sameSeedSameBytesAndTheDslWritesWhatTheCliWrites() throws Exception {
        Path prompts = prompts(3, 4);
        var first = cli(dir, "--prompts", prompts.toString(), "--out", dir.resolve("a").toString(), "--seed", "9",
                "--guidance", "3", "--negative", "", "--grid");
        var second = cli(dir, "--prompts", prompts.toString(), "--out", dir.resolve("b").toString(), "--seed", "9",
                "--guidance", "3", "--negative", "", "--grid");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(second.code()).isZero();
        for (String f : List.of("s3.png", "s4.png", "grid.png")) {
            assertThat(Files.readAllBytes(dir.resolve("a").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(dir.resolve("b").resolve(f)));
        }
        Path script = Files.writeString(dir.resolve("gen.groovy"), """
                def files = generate zoo('shapes-oracle'), prompts: args[0], out: args[1], seed: 9, guidance: 3,
                        grid: true
                println files.size()
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (dev.pictor.api.Pictor pictor = dev.pictor.api.Pictor.builder().build()) {
            new ScriptRunner(pictor, new PrintStream(out, true, StandardCharsets.UTF_8), System.err)
                    .run(script, List.of(prompts.toString(), dir.resolve("c").toString()));
        }
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo("3");
        for (String f : List.of("s3.png", "s4.png", "grid.png")) {
            assertThat(Files.readAllBytes(dir.resolve("c").resolve(f))).as("DSL " + f)
                    .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
        }
    }

    @Test
    void inpaintingKeepsTheUnmaskedPixelsAndStrengthZeroKeepsTheImage() throws Exception {
        Path init = dir.resolve("init.png");
        Png.write(init, expected(7), Map.of());
        BufferedImage mask = new BufferedImage(ShapesWorld.SIZE, ShapesWorld.SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < ShapesWorld.SIZE; y++) {
            for (int x = 0; x < ShapesWorld.SIZE / 2; x++) {
                mask.setRGB(x, y, 0xFFFFFF);   // regenerate the left half
            }
        }
        Path maskFile = dir.resolve("mask.png");
        Png.write(maskFile, mask, Map.of());
        String prompt = ShapesOraclePlugin.WORLD.scene(8).prompt();
        for (String sampler : List.of("ddpm", "euler", "dpm-solver++")) {
            Path out = dir.resolve("inpaint-" + sampler);
            var r = cli(dir, "--prompt", prompt, "--out", out.toString(), "--init-image", init.toString(), "--mask",
                    maskFile.toString(), "--strength", "1", "--guidance", "1", "--sampler", sampler);
            assertThat(r.code()).as(r.err()).isZero();
            BufferedImage got = Png.read(out.resolve("0.png"));
            BufferedImage keep = expected(7);
            BufferedImage want = expected(8);
            for (int y = 0; y < ShapesWorld.SIZE; y++) {
                for (int x = 0; x < ShapesWorld.SIZE; x++) {
                    int expectedRgb = (x < ShapesWorld.SIZE / 2 ? want : keep).getRGB(x, y);
                    assertThat(got.getRGB(x, y)).as("%s (%d, %d)", sampler, x, y).isEqualTo(expectedRgb);
                }
            }
            assertThat(Png.readText(out.resolve("0.png"))).containsEntry("mask", "mask.png")
                    .containsEntry("init image", "init.png");
        }
        Path same = dir.resolve("same");
        var r = cli(dir, "--prompt", prompt, "--out", same.toString(), "--init-image", init.toString(), "--strength",
                "0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(largestGap(Png.read(same.resolve("0.png")), expected(7))).isZero();
    }

    /** The oracle denoiser knows the prompt's picture: upscaling a half-size copy at strength 1 must give it back. */
    @Test
    void upscaleEnlargesAHalfSizeImageAndRedrawsIt() throws Exception {
        BufferedImage big = expected(5);
        BufferedImage small = new BufferedImage(ShapesWorld.SIZE / 2, ShapesWorld.SIZE / 2, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = small.createGraphics();
        g.drawImage(big, 0, 0, ShapesWorld.SIZE / 2, ShapesWorld.SIZE / 2, null);
        g.dispose();
        Path init = dir.resolve("small.png");
        Png.write(init, small, Map.of());
        Path out = dir.resolve("up");
        var r = cli(dir, "--prompt", ShapesOraclePlugin.WORLD.scene(5).prompt(), "--out", out.toString(),
                "--init-image", init.toString(), "--upscale", "--strength", "1", "--guidance", "1", "--sampler", "ddim");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(largestGap(Png.read(out.resolve("0.png")), big)).isLessThanOrEqualTo(2);
        assertThat(Png.readText(out.resolve("0.png"))).containsEntry("upscale", "2x from the init image");
        var wrong = cli(dir, "--prompt", "a red circle", "--out", out.toString(), "--init-image",
                dir.resolve("up/0.png").toString(), "--upscale");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("give one of 16x16");
    }

    @Test
    void badInputIsOneLineWithExitTwoAndNothingWritten() throws Exception {
        Path out = dir.resolve("never");
        String prompt = ShapesOraclePlugin.WORLD.scene(0).prompt();
        Path wrongSize = dir.resolve("big.png");
        Png.write(wrongSize, new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), Map.of());
        Path grey = dir.resolve("grey.png");
        BufferedImage g = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        g.setRGB(3, 4, 0x808080);
        Png.write(grey, g, Map.of());
        Path init = dir.resolve("init.png");
        Png.write(init, expected(1), Map.of());
        Path text = Files.writeString(dir.resolve("not-an-image.png"), "hello");
        Path noTab = Files.writeString(dir.resolve("no-tab.tsv"), "a\ta red circle\nb a blue square\n");
        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        String[][] cases = {
                {"unknown sampler 'eulr': did you mean 'euler'?", "--prompt", prompt, "--out", out.toString(),
                        "--sampler", "eulr"},
                {"option 'steps' must be at least 1", "--prompt", prompt, "--out", out.toString(), "--steps", "0"},
                {"steps must lie in [1, 1000]", "--prompt", prompt, "--out", out.toString(), "--steps", "5000"},
                {"option 'guidance' must be >= 0", "--prompt", prompt, "--out", out.toString(), "--guidance", "-1"},
                {"option 'guidanceRescale' must lie in [0, 1]", "--prompt", prompt, "--out", out.toString(),
                        "--guidance-rescale", "1.5"},
                {"option 'strength' must lie in [0, 1]", "--prompt", prompt, "--out", out.toString(), "--init-image",
                        init.toString(), "--strength", "1.5"},
                {"strength needs an initial image", "--prompt", prompt, "--out", out.toString(), "--strength", "0.5"},
                {"is 64x64 but the pipeline makes images of another size", "--prompt", prompt, "--out",
                        out.toString(), "--init-image", wrongSize.toString()},
                {"not an image", "--prompt", prompt, "--out", out.toString(), "--init-image", text.toString()},
                {"is not binary: pixel (3, 4) is #808080", "--prompt", prompt, "--out", out.toString(),
                        "--init-image", init.toString(), "--mask", grey.toString()},
                {"a mask needs the image it masks", "--prompt", prompt, "--out", out.toString(), "--mask",
                        grey.toString()},
                {"mask " + wrongSize + " is 64x64 but the initial image is 32x32", "--prompt", prompt, "--out",
                        out.toString(), "--init-image", init.toString(), "--mask", wrongSize.toString()},
                {"line 2 of " + noTab + " has no tab", "--prompts", noTab.toString(), "--out", out.toString()},
                {"output folder " + aFile.resolve("sub") + " cannot be created", "--prompt", prompt, "--out",
                        aFile.resolve("sub").toString()},
                {"shapes-render knows the first 64 scenes' prompts only", "--prompt", "a green square",
                        "--out", out.toString()},
        };
        for (String[] c : cases) {
            var r = cli(dir, java.util.Arrays.copyOfRange(c, 1, c.length));
            assertThat(r.code()).as(String.join(" ", c) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.err()).as(c[0]).contains(c[0]).doesNotContain("\tat ");
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        }
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.list(out)) {
                assertThat(s.filter(p -> !p.getFileName().toString().startsWith(".")).toList())
                        .as("nothing written").isEmpty();
            }
        }
    }

    /**
     * What Ctrl-C does (the CLI's shutdown hook cancels the same token): the run stops at the next step; the images
     * finished before stay, whole; nothing of the interrupted prompt is written, not even a temporary file.
     */
    @Test
    void cancellingKeepsFinishedImagesAndLeavesNoPartialFile() throws Exception {
        Path out = dir.resolve("cancelled");
        dev.pictor.api.run.Cancellation cancel = new dev.pictor.api.run.Cancellation();
        try (dev.pictor.api.Pictor pictor = dev.pictor.api.Pictor.builder().build();
             dev.pictor.api.pipeline.LoadedPipeline p = pictor.open(pictor.zoo("shapes-oracle"))) {
            var request = dev.pictor.api.task.GenerateRequest.from(dev.pictor.api.task.TaskOptions.of("generate",
                    Map.of("prompts", prompts(0, 1, 2).toString(), "out", out.toString(), "steps", 10, "guidance", 1),
                    dev.pictor.api.task.GenerateRequest.OPTIONS), dir);
            var context = new dev.pictor.api.task.TaskContext(pictor, System.out, dir,
                    dev.pictor.api.run.ProgressListener.NONE, cancel);
            // overall progress: prompt 2 of 3 runs steps 11..20; stop in its middle
            var hooks = dev.pictor.api.diffusion.SamplingHooks.none().withCancellation(cancel)
                    .withProgress((stage, done, total) -> {
                        if (done == 15) {
                            cancel.cancel();
                        }
                    });
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.pictor.api.task.Generate.run(context, p,
                    request, hooks)).isInstanceOf(dev.pictor.api.run.CancelledException.class);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(f -> f.getFileName().toString()).toList()).containsExactly("s0.png");
        }
        assertThat(largestGap(Png.read(out.resolve("s0.png")), expected(0))).isLessThanOrEqualTo(2);
    }

    @Test
    void zooInfoSaysWhichTasksAPipelineServes() throws Exception {
        var r = ThirdPartyPluginTest.cli("zoo", "info", "shapes-oracle");
        assertThat(r.out()).contains("serves: generate");
    }

    @Test
    void helpDocumentsEveryOption() throws Exception {
        var r = ThirdPartyPluginTest.cli("generate", "--help");
        assertThat(r.code()).isZero();
        for (String option : List.of("--pipeline", "--prompt", "--prompts", "--out", "--negative", "--seed", "--count",
                "--steps", "--sampler", "--guidance", "--guidance-rescale", "--init-image", "--strength", "--mask",
                "--upscale", "--rerank", "--grid")) {
            assertThat(r.out()).contains(option);
        }
    }
}
