package dev.pictor.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.Pictor;
import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.artifact.Verification;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.zoo.ZooEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ZooPluginTest {
    @TempDir
    Path dir;

    // The caption grammar of shared/specs/shapes-world.md, version 1.
    private static final List<String> PREFIXES = List.of("", "a picture of ", "an image of ", "a photo of ", "there is ");
    private static final List<String> SIZES = List.of("", "small ", "large ");
    private static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "purple", "orange", "cyan",
            "white");
    private static final List<String> SHAPES = List.of("circle", "square", "triangle");
    private static final List<String> PLACES = List.of("", " on the left", " on the right", " in the center",
            " at the top", " at the bottom", " in the top left", " in the top right", " in the bottom left",
            " in the bottom right");
    private static final List<String> RELATIONS = List.of(" above ", " below ", " to the left of ",
            " to the right of ");

    static String object(Random r) {
        String size = SIZES.get(r.nextInt(SIZES.size()));
        String colour = COLOURS.get(r.nextInt(COLOURS.size()));
        String first = size.isEmpty() ? colour : size;
        String article = "aeiou".indexOf(first.charAt(0)) >= 0 ? "an " : "a ";
        return article + size + colour + " " + SHAPES.get(r.nextInt(SHAPES.size()));
    }

    static String prompt(Random r) {
        String prefix = PREFIXES.get(r.nextInt(PREFIXES.size()));
        return r.nextBoolean() ? prefix + object(r) + PLACES.get(r.nextInt(PLACES.size()))
                : prefix + object(r) + RELATIONS.get(r.nextInt(RELATIONS.size())) + object(r);
    }

    private Pictor pictor() {
        return Pictor.builder().plugins(null).artifacts(new ArtifactStore(dir.resolve("cache"), false)).build();
    }

    @Test
    void listsItsEntriesWithModelCards() {
        List<ZooEntry> entries = new ZooPlugin().zooEntries();
        assertThat(entries).extracting(ZooEntry::name).containsExactly("shapes-words", "shapes-clip", "fashion-clip",
                "shapes-ldm", "fashion-ldm");
        for (ZooEntry e : entries) {
            assertThat(e.modelCard()).startsWith("# " + e.name()).contains("## Recipe").contains("## Metrics");
        }
    }

    @Test
    void everyArtifactMatchesItsPinnedHash() {
        ArtifactStore store = new ArtifactStore(dir.resolve("cache"), false);
        for (ZooEntry e : new ZooPlugin().zooEntries()) {
            for (var a : e.pipeline().artifacts()) {
                Verification v = store.verify(a, e.resources());
                assertThat(v.ok()).as(v.problem()).isTrue();
            }
        }
    }

    @Test
    void shapesWordsEncodesEveryGrammarPromptWithoutUnknownWords() {
        try (Pictor pictor = pictor(); LoadedPipeline p = pictor.open(pictor.zoo("shapes-words"))) {
            Random r = new Random(1);
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                prompts.add(prompt(r));
            }
            for (String prompt : prompts) {
                Encoding e = p.tokenizer().encode(prompt);
                assertThat(e.tokens()).as(prompt).doesNotContain("[UNK]");
            }
            assertThat(p.tokenizer().vocabularySize()).isEqualTo(35);
            TokenBatch batch = p.tokenizer().encodeBatch(prompts.subList(0, 64));
            INDArray vectors = p.encoder(TokenBatch.class).encode(batch).get(dev.pictor.api.spi.Encoder.Output.POOLED);
            assertThat(vectors.shape()).containsExactly(64, 35);
            assertThat(vectors.norm2(1).minNumber().doubleValue()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(p.tokenizer().encode("a zebra").tokens()).containsExactly("a", "[UNK]");
        }
    }
}
