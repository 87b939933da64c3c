package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.Pictor;
import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.image.Images;
import dev.pictor.api.image.Png;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.ContinuousQuantizer;
import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.ShapesChecker;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The zoo's latent-diffusion pipelines as users reach them: {@code pictor generate --pipeline shapes-ldm} (the
 * issue's command), judged on the pixels by the Shapes checker, and the first stage's reconstructions of scenes it
 * never saw. The full quality numbers are evalShapesGeneration's and evalFashionGeneration's
 * (zoo/recipes/ldm-eval.groovy, in the model cards); these are quick checks of the same models.
 */
class LdmZooTest {
    @TempDir
    Path dir;

    @Test
    void generatesThroughTheCliAndDrawsWhatASingleObjectPromptAsks() throws Exception {
        Path out = dir.resolve("out");
        // the command, and prompts of one object, which the model draws right (its card: 100% of 80)
        Path prompts = Files.writeString(dir.resolve("prompts.tsv"), "relation\ta red circle above a blue square\n"
                + "square\ta blue square\ncircle\ta yellow circle\ntriangle\ta large green triangle\n");
        var r = ThirdPartyPluginTest.cli("--plugins", Files.createDirectories(dir.resolve("none")).toString(),
                "generate", "--pipeline", "shapes-ldm", "--prompts", prompts.toString(), "--out", out.toString(),
                "--count", "2", "--seed", "1");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, String> meta = Png.readText(out.resolve("relation-1.png"));
        assertThat(meta).containsEntry("prompt", "a red circle above a blue square")
                .containsEntry("pipeline", "shapes-ldm").containsEntry("sampler", "dpm-solver++")
                .containsEntry("steps", "20").containsEntry("seed", "2")
                // no --guidance: the zoo entry's own defaults (its descriptor), not generate's 5
                .containsEntry("guidance", "3").containsEntry("guidance rescale", "0.7");
        assertThat(judgedRight(out, List.of("square", "circle", "triangle"), 2))
                .as("single-object images the pixel checker reads as their prompts, of 6").isGreaterThanOrEqualTo(5);
    }

    @Test
    void drawsTwoObjectsInTheRelationThePromptNames() throws Exception {
        Path out = dir.resolve("relations");
        // relations are what the text tower trained with relation hard negatives and the UNet's relation groups give
        // (its card: 76.7% of 480 images at guidance 3 rescaled 0.7, the entry's defaults; the UNet on shapes-clip's
        // bag-of-words text: 16.9%)
        Path prompts = Files.writeString(dir.resolve("relations.tsv"), "a\ta red circle above a blue square\n"
                + "b\ta green triangle to the left of a yellow circle\nc\ta white square below a purple circle\n"
                + "d\ta blue triangle to the right of an orange square\n");
        var r = ThirdPartyPluginTest.cli("--plugins", Files.createDirectories(dir.resolve("none")).toString(),
                "generate", "--pipeline", "shapes-ldm", "--prompts", prompts.toString(), "--out", out.toString(),
                "--count", "2", "--seed", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(judgedRight(out, List.of("a", "b", "c", "d"), 2))
                .as("two-object images the pixel checker reads as their relation prompts, of 8")
                .isGreaterThanOrEqualTo(4);
    }

    /** How many of the images {@code id-k.png} (k below {@code count}) the pixel checker reads as their prompt. */
    private static int judgedRight(Path out, List<String> ids, int count) throws Exception {
        int right = 0;
        for (String id : ids) {
            for (int k = 0; k < count; k++) {
                Path png = out.resolve(id + "-" + k + ".png");
                right += ShapesChecker.judge(Images.toRgb(Png.read(png)), Png.readText(png).get("prompt")).correct()
                        ? 1 : 0;
            }
        }
        return right;
    }

    @Test
    void inpaintingKeepsTheUnmaskedPixelsOfTheLatentModel() throws Exception {
        ShapesWorld world = new ShapesWorld(7, ShapesWorld.HELD_OUT);
        Scene scene = world.scene(3);
        java.awt.image.BufferedImage original = Images.fromRgb(world.render(scene, true, 0), ShapesWorld.SIZE,
                ShapesWorld.SIZE);
        Path init = dir.resolve("init.png");
        Png.write(init, original, Map.of());
        java.awt.image.BufferedImage mask = new java.awt.image.BufferedImage(ShapesWorld.SIZE, ShapesWorld.SIZE,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < ShapesWorld.SIZE; y++) {
            for (int x = 0; x < ShapesWorld.SIZE / 2; x++) {
                mask.setRGB(x, y, 0xFFFFFF);   // regenerate the left half
            }
        }
        Path maskFile = dir.resolve("mask.png");
        Png.write(maskFile, mask, Map.of());
        Path out = dir.resolve("inpainted");
        var r = ThirdPartyPluginTest.cli("--plugins", Files.createDirectories(dir.resolve("none")).toString(),
                "generate", "--pipeline", "shapes-ldm", "--prompt", "a green square on the left", "--out",
                out.toString(), "--init-image", init.toString(), "--mask", maskFile.toString(), "--strength", "1");
        assertThat(r.code()).as(r.err()).isZero();
        int half = ShapesWorld.SIZE / 2;
        java.awt.image.BufferedImage result = Png.read(out.resolve("0.png"));
        int worst = GenerateTest.largestGap(result.getSubimage(half, 0, half, ShapesWorld.SIZE),
                original.getSubimage(half, 0, half, ShapesWorld.SIZE));
        assertThat(worst).as("largest change of a kept pixel, of 255").isLessThanOrEqualTo(2);
    }

    @Test
    void theFirstStageReconstructsUnseenScenesSoTheCheckerReadsThemRight() {
        ShapesWorld world = new ShapesWorld(99, ShapesWorld.HELD_OUT);
        int n = 200;
        int right = 0;
        try (Pictor pictor = Pictor.builder().plugins(null).artifacts(new ArtifactStore(dir.resolve("cache"), false))
                .build(); LoadedPipeline p = pictor.open(pictor.zoo("shapes-ldm"))) {
            ContinuousQuantizer q = (ContinuousQuantizer) p.quantizer();
            for (int start = 0; start < n; start += 50) {
                INDArray images = Nd4j.create(DataType.FLOAT, 50, 3, ShapesWorld.SIZE, ShapesWorld.SIZE);
                List<Scene> scenes = new java.util.ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    Scene s = world.scene(start + i);
                    scenes.add(s);
                    images.putSlice(i, Images.toTensor(Images.fromRgb(world.render(s, true, 0), ShapesWorld.SIZE,
                            ShapesWorld.SIZE)));
                }
                INDArray decoded = q.decode(q.posterior(images).mode().muli(q.scalingFactor()));
                for (int i = 0; i < 50; i++) {
                    byte[] rgb = Images.toRgb(Images.fromTensor(decoded.get(NDArrayIndex.point(i))));
                    right += ShapesChecker.judge(rgb, scenes.get(i).prompt()).correct() ? 1 : 0;
                }
            }
        }
        // 98.0% of 1,000 such scenes when the checker was last tuned
        assertThat(right).as("reconstructions read right, of " + n).isGreaterThanOrEqualTo(n * 95 / 100);
    }
}
