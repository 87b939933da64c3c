package dev.pictor.clip.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.clip.BpeTrainer;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipModel;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ContrastiveBatchesTest {
    /** Six pairs of three meanings: a finite source whose indices we can follow. */
    static PairSource tiny() {
        return new PairSource() {
            @Override
            public Pair pair(long index) {
                float[] image = new float[3 * 4 * 4];
                java.util.Arrays.fill(image, index / 10f);
                String meaning = "thing " + (index % 3);
                return new Pair(image, (index % 2 == 0 ? "a " : "the ") + meaning, meaning);
            }

            @Override
            public int side() {
                return 4;
            }

            @Override
            public long size() {
                return 6;
            }

            @Override
            public List<String> corpus(int count) {
                return List.of("a thing 0", "the thing 1", "a thing 2");
            }
        };
    }

    @Test
    void targetsSpreadOverPairsOfOneMeaningAndEpochsArePermutations() {
        ClipBpeTokenizer t = ClipBpeTokenizer.fromMerges(BpeTrainer.train(tiny().corpus(3), 600), 8);
        ContrastiveBatches b = new ContrastiveBatches(tiny(), t, 6, 3);
        for (long epoch = 0; epoch < 3; epoch++) {
            Set<Long> seen = new HashSet<>();
            for (int r = 0; r < 6; r++) {
                seen.add(b.index(epoch, r));
            }
            assertThat(seen).as("epoch %d", epoch).hasSize(6);
        }
        Map<String, INDArray> in = b.batch(0);
        INDArray targets = in.get(ClipModel.TARGETS);
        // every meaning occurs twice in an epoch of six: each row has two halves
        for (int i = 0; i < 6; i++) {
            assertThat(targets.getRow(i).sumNumber().doubleValue()).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(targets.getRow(i).maxNumber().doubleValue()).isEqualTo(0.5);
        }
        assertThat(in.get(ClipModel.INPUT_IDS).size(1)).isLessThan(8);   // padded to the longest, not the context
        assertThat(b.fullContext(true).batch(0).get(ClipModel.INPUT_IDS).size(1)).isEqualTo(8);
        // a step is a function of its number: the same inputs twice
        assertThat(b.batch(5).get(ClipModel.PIXELS)).isEqualTo(b.batch(5).get(ClipModel.PIXELS));
    }
}
