package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    static final List<String> CORPUS = List.of("a red circle on the left", "a blue square above a red circle",
            "there is a large red triangle", "an image of a blue circle in the center", "a red circle");

    @Test
    void learnsWholeWordsOfASmallCorpusAndRoundTripsText() {
        List<String> merges = BpeTrainer.train(CORPUS, 4096);
        ClipBpeTokenizer t = ClipBpeTokenizer.fromMerges(merges, 16);
        assertThat(t.vocabularySize()).isEqualTo(BpeTrainer.BASE + merges.size());
        // every corpus word became one token: "a red circle" is start, 3 tokens, end
        int[] ids = t.encode("a red circle").ids();
        assertThat(ids).hasSize(5);
        assertThat(ids[0]).isEqualTo(t.startId());
        assertThat(ids[4]).isEqualTo(t.endId()).isEqualTo(t.vocabularySize() - 1);
        assertThat(t.decode(ids)).isEqualTo("a red circle");
        // unseen words still encode, byte by byte where no merge applies
        assertThat(t.decode(t.encode("a purple hexagon").ids())).isEqualTo("a purple hexagon");
    }

    @Test
    void mostFrequentPairsComeFirstAndTheResultIsAFunctionOfTheCorpus() {
        List<String> merges = BpeTrainer.train(CORPUS, 530);
        assertThat(merges).hasSize(530 - BpeTrainer.BASE);
        assertThat(BpeTrainer.train(CORPUS, 530)).isEqualTo(merges);
        // "le" ending a word: circle ×4 and triangle — five, more than any other pair
        assertThat(merges.get(0)).isEqualTo("l e</w>");
    }

    @Test
    void mergesSurviveAFile(@TempDir Path dir) throws Exception {
        List<String> merges = BpeTrainer.train(CORPUS, 600);
        Path file = dir.resolve("bpe.txt");
        Files.writeString(file, "#version: 0.2\n" + String.join("\n", merges) + "\n");
        assertThat(ClipBpeTokenizer.fromMergesFile(file, 16).merges()).isEqualTo(merges);
        Files.writeString(file, "#version: 0.2\nab\n");
        assertThatThrownBy(() -> ClipBpeTokenizer.fromMergesFile(file, 16))
                .hasMessageContaining("merge 1 is not two symbols separated by one space: 'ab'");
        assertThatThrownBy(() -> BpeTrainer.train(CORPUS, 100)).hasMessageContaining("at least 514 ids");
    }
}
