package dev.pictor.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Pictor;
import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.plugin.PluginInfo;
import dev.pictor.api.spi.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TextPluginTest {
    @TempDir
    Path dir;

    private Pictor pictor() {
        return Pictor.builder().plugins(null).artifacts(new ArtifactStore(dir.resolve("cache"), false)).build();
    }

    @Test
    void registersItsComponentsThroughServiceLoader() {
        try (Pictor pictor = pictor()) {
            PluginInfo text = pictor.plugins().plugins().stream().filter(p -> p.name().equals("text")).findFirst()
                    .orElseThrow();
            assertThat(text.components()).containsEntry("tokenizer", List.of("word"))
                    .containsEntry("encoder", List.of("bag-of-words", "one-hot"));
            assertThat(pictor.plugins().failures()).isEmpty();
        }
    }

    @Test
    void buildsAVocabularyFromACorpusAndOneHotEncodes() throws Exception {
        Files.writeString(dir.resolve("corpus.txt"), "a red circle\na blue square\nA red square\n");
        Pipeline p = Pipeline.builder("encoding").tokenizer("word", Map.of("corpus", "corpus.txt"))
                .encoder("one-hot").build();
        try (Pictor pictor = pictor(); LoadedPipeline loaded = pictor.open(p, dir)) {
            assertThat(((WordTokenizer) loaded.tokenizer()).vocabulary().tokens())
                    .containsExactly("[PAD]", "[UNK]", "a", "red", "square", "blue", "circle");
            TokenBatch b = loaded.tokenizer().encodeBatch(List.of("a blue circle"));
            INDArray x = loaded.encoder(TokenBatch.class).encode(b).get(dev.pictor.api.spi.Encoder.Output.TOKENS);
            assertThat(x.shape()).containsExactly(1, 3, 7);
            assertThat(x.argMax(2).toLongVector()).containsExactly(2, 5, 6);
        }
    }

    @Test
    void rejectsBadSettingsWithTheirNames() throws Exception {
        Files.writeString(dir.resolve("corpus.txt"), "a\n");
        try (Pictor pictor = pictor()) {
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("e").tokenizer("word", Map.of()).build(), dir))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("exactly one of 'vocabulary'");
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("e")
                    .tokenizer("word", Map.of("corpus", "corpus.txt", "mincount", 2)).build(), dir))
                    .hasMessageContaining("unknown setting 'mincount': did you mean 'minCount'?");
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("e").tokenizer("word", Map.of("corpus", "c.txt"))
                    .build(), dir)).hasMessageContaining("not found");
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("e").tokenizer("word", Map.of("corpus", "corpus.txt"))
                    .encoder("bag-of-words", Map.of("weighting", "tfidf")).build(), dir))
                    .hasMessageContaining("must be one of [count, binary]");
            Files.write(dir.resolve("bad.txt"), new byte[] {'a', ' ', (byte) 0xFF, '\n'});
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("e").tokenizer("word", Map.of("corpus", "bad.txt"))
                    .build(), dir)).hasMessageContaining("bad.txt is not valid UTF-8 at line 1 (byte 0xFF)");
        }
    }
}
