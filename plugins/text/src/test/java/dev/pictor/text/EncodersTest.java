package dev.pictor.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.TokenBatch;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class EncodersTest {
    private final WordTokenizer words = new WordTokenizer(
            Vocabulary.of(List.of("a", "red", "circle", "blue", "square")), true, 16, 0);
    private final TokenBatch batch = words.encodeBatch(List.of("a red red circle", "a blue zebra"));

    @Test
    void oneHotHasAOneAtEachTokenAndZerosOnPadding() {
        INDArray x = new OneHotEncoder(1 << 20).oneHot(batch);
        assertThat(x.shape()).containsExactly(2, 4, 7);
        long[][] ids = batch.inputIds().toLongMatrix();
        long[][] mask = batch.attentionMask().toLongMatrix();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int v = 0; v < 7; v++) {
                    float expected = mask[i][j] == 1 && ids[i][j] == v ? 1f : 0f;
                    assertThat(x.getFloat(i, j, v)).as("[%d,%d,%d]", i, j, v).isEqualTo(expected);
                }
            }
        }
        assertThat(x.sumNumber().intValue()).isEqualTo(7); // 4 + 3 real tokens
    }

    @Test
    void oneHotRefusesAnOversizedResult() {
        assertThatThrownBy(() -> new OneHotEncoder(10).oneHot(batch)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("[2, 4, 7] result has 56 elements").hasMessageContaining("bag-of-words");
    }

    @Test
    void bagOfWordsCountsOrMarksWords() {
        INDArray counts = new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.COUNT, false).counts(batch);
        assertThat(counts.toFloatMatrix()).isEqualTo(new float[][] {
                {0, 0, 1, 2, 1, 0, 0},
                {0, 1, 1, 0, 0, 1, 0}});
        INDArray binary = new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.BINARY, false).counts(batch);
        assertThat(binary.getFloat(0, 3)).isEqualTo(1f);
        INDArray unit = new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.COUNT, true).counts(batch);
        assertThat(unit.norm2(1).toFloatVector()).containsExactly(new float[] {1f, 1f},
                org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(unit.getFloat(0, 3)).isCloseTo((float) (2 / Math.sqrt(6)), org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void bagOfWordsRefusesAnOversizedResult() {
        assertThatThrownBy(() -> new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.COUNT, false, 13).counts(batch))
                .isInstanceOf(BadInputException.class).hasMessageContaining("[2, 7] result has 14 elements");
    }

    @Test
    void bagOfWordsEqualsTheSumOfOneHotsOnRandomBatches() {
        Random random = new Random(42);
        List<String> vocab = List.of("a", "b", "c", "d", "e", "f", "g");
        for (int trial = 0; trial < 20; trial++) {
            List<String> texts = new java.util.ArrayList<>();
            for (int t = 0; t < 1 + random.nextInt(5); t++) {
                StringBuilder sb = new StringBuilder();
                for (int w = 0; w < 1 + random.nextInt(9); w++) {
                    sb.append(random.nextInt(10) == 0 ? "zz" : vocab.get(random.nextInt(vocab.size()))).append(' ');
                }
                texts.add(sb.toString());
            }
            TokenBatch b = new WordTokenizer(Vocabulary.of(vocab), true, 16, 0).encodeBatch(texts);
            INDArray summed = new OneHotEncoder(1 << 20).oneHot(b).sum(1);
            BagOfWordsEncoder bow = new BagOfWordsEncoder(BagOfWordsEncoder.Weighting.COUNT, false);
            assertThat(bow.counts(b)).isEqualTo(summed);
            SparseRows sparse = bow.encodeSparse(b);
            assertThat(sparse.toDense()).isEqualTo(summed);
            assertThat(sparse.nonZeros()).isEqualTo(summed.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT32)
                    .sumNumber().intValue());
            assertThat(sparse.get(0, 0)).isZero(); // [PAD] never counted
        }
    }
}
