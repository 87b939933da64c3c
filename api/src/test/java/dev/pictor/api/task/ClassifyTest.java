package dev.pictor.api.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.image.Png;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.Component;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.testing.EchoPlugin;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Zero-shot classification with a pair of encoders whose joint space is known: colour words and solid images both
 * map to (r, g, b) directions, so "a photo of a red" must win for a red image.
 */
class ClassifyTest {
    static final List<String> WORDS = List.of("[PAD]", "a", "photo", "of", "red", "green", "blue");

    @TempDir
    Path dir;

    /** Text → the colour its colour word names (other words count nothing). */
    static final class ColourWords implements Encoder<TokenBatch> {
        public String name() {
            return "colour-words";
        }

        public Class<TokenBatch> inputType() {
            return TokenBatch.class;
        }

        public Set<Output> outputs() {
            return EnumSet.of(Output.PROJECTED);
        }

        public long dimension(Output o) {
            return 3;
        }

        public Encodings encode(TokenBatch batch, Set<Output> wanted) {
            Encodings.check(this, wanted);
            INDArray v = Nd4j.zeros(DataType.FLOAT, batch.size(), 3);
            for (int b = 0; b < batch.size(); b++) {
                for (int id : batch.encodings().get(b).ids()) {
                    if (id >= 4) {
                        v.putScalar(b, id - 4, 1);
                    }
                }
            }
            return Encodings.builder(name()).put(Output.PROJECTED, v).build();
        }
    }

    /** Image → its mean colour, shifted to [0, 2]. */
    static final class MeanColour implements Encoder<INDArray> {
        public String name() {
            return "mean-colour";
        }

        public Class<INDArray> inputType() {
            return INDArray.class;
        }

        public Set<Output> outputs() {
            return EnumSet.of(Output.PROJECTED);
        }

        public long dimension(Output o) {
            return 3;
        }

        public Encodings encode(INDArray images, Set<Output> wanted) {
            return Encodings.builder(name()).put(Output.PROJECTED, images.add(1).mean(2, 3)).build();
        }
    }

    LoadedPipeline clip() {
        Map<String, Component> roles = new LinkedHashMap<>();
        roles.put("tokenizer", new EchoPlugin.LinesTokenizer(WORDS));
        roles.put("text", new ColourWords());
        roles.put("image", new MeanColour());
        return new LoadedPipeline(Pipeline.builder("zero-shot").name("colours").build(), roles);
    }

    Path solid(String name, int rgb) {
        BufferedImage im = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                im.setRGB(x, y, rgb);
            }
        }
        Path p = dir.resolve(name + ".png");
        Png.write(p, im, Map.of());
        return p;
    }

    @Test
    void eachImageGetsItsColour() {
        List<Path> images = List.of(solid("r", 0xFF0000), solid("g", 0x00FF00), solid("b", 0x0000FF));
        List<Classify.Scores> s = Classify.run(clip(), images, List.of("red", "green", "blue"),
                Classify.DEFAULT_TEMPLATE, Classify.DEFAULT_SCALE);
        assertThat(s).extracting(Classify.Scores::best).containsExactly("red", "green", "blue");
        for (Classify.Scores one : s) {
            assertThat(java.util.Arrays.stream(one.probabilities()).sum()).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-12));
            assertThat(one.bestProbability()).isGreaterThan(0.99);
        }
        // scale 1 softens the same scores: cos 1 against cos 0 → e/(e + 2)
        double p = Classify.run(clip(), images.subList(0, 1), List.of("red", "green", "blue"), "{}", 1)
                .get(0).bestProbability();
        assertThat(p).isCloseTo(Math.E / (Math.E + 2), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void badInputIsNamed() {
        Path r = solid("r", 0xFF0000);
        assertThatThrownBy(() -> Classify.run(clip(), List.of(r), List.of("red"), "{}", 100))
                .hasMessageContaining("at least two labels");
        assertThatThrownBy(() -> Classify.run(clip(), List.of(r), List.of("red", "red"), "{}", 100))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> Classify.run(clip(), List.of(r), List.of("red", "blue"), "a photo", 100))
                .hasMessageContaining("has no {} for the label");
        assertThatThrownBy(() -> Classify.run(clip(), List.of(dir.resolve("none.png")), List.of("red", "blue"), "{}",
                100)).hasMessageContaining("image not found");
        LoadedPipeline textOnly = new LoadedPipeline(Pipeline.builder("encoding").name("words").build(),
                Map.of("tokenizer", new EchoPlugin.LinesTokenizer(WORDS), "text", new ColourWords()));
        assertThatThrownBy(() -> Classify.run(textOnly, List.of(r), List.of("red", "blue"), "{}", 100))
                .hasMessageContaining("has no 'image' encoder");
    }
}
