package dev.pictor.dalle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.nn.Graph;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DalleTransformerTest {
    /** 20 BPE ids, 4 text positions, 8 codes on a 2 × 2 grid. */
    static final DalleConfig TINY = new DalleConfig(20, 4, 8, 2, 16, 2, 2);

    @Test
    void idsShareOneSpaceTextThenPaddingThenCodes() {
        assertThat(TINY.padId(0)).isEqualTo(20);
        assertThat(TINY.imageOffset()).isEqualTo(24);
        assertThat(TINY.totalVocab()).isEqualTo(32);
        assertThat(TINY.sequenceLength()).isEqualTo(8);
        assertThat(DalleConfig.parse(TINY.toJson(), "t")).isEqualTo(TINY);
        assertThatThrownBy(() -> new DalleConfig(20, 4, 8, 2, 18, 2, 4)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("not a multiple of 4 heads");
    }

    @Test
    void eachPositionSeesOnlyThePositionsBeforeIt() {
        Graph g = new Graph(DataType.DOUBLE, 5, Graph.Mode.TRAIN);
        SDVariable logits = new DalleTransformer(TINY).logits(g, g.input("text", DataType.INT64, -1, 4),
                g.input("image", DataType.INT64, -1, 3));
        INDArray text = Nd4j.createFromArray(new long[][] {{3, 7, 21, 22}});
        INDArray image = Nd4j.createFromArray(new long[][] {{1, 5, 2}});
        INDArray before = g.output(Map.of("text", text, "image", image), logits).dup();
        INDArray changed = image.dup();
        changed.putScalar(0, 1, 6);   // the second code, at sequence position 5
        INDArray after = g.output(Map.of("text", text, "image", changed), logits);
        assertThat(before.shape()).containsExactly(1, 7, 32);
        for (int p = 0; p < 7; p++) {
            boolean same = before.get(NDArrayIndex.point(0), NDArrayIndex.point(p)).equalsWithEps(
                    after.get(NDArrayIndex.point(0), NDArrayIndex.point(p)), 1e-12);
            assertThat(same).as("position " + p).isEqualTo(p < 5);
        }
    }

    @Test
    void paddedTextPositionsHoldTheirOwnPaddingTokens() {
        INDArray ids = Nd4j.createFromArray(new long[][] {{5, 9, 0, 0}, {5, 19, 11, 3}});
        INDArray mask = Nd4j.createFromArray(new long[][] {{1, 1, 0, 0}, {1, 1, 1, 1}});
        List<Encoding> enc = List.of(new Encoding(new int[0], List.of(), new int[0], false),
                new Encoding(new int[0], List.of(), new int[0], false));
        long[][] text = new DalleTransformer(TINY).textIds(new TokenBatch(ids, mask, enc, 20));
        assertThat(text[0]).containsExactly(5, 9, 22, 23);
        assertThat(text[1]).containsExactly(5, 19, 11, 3);
        INDArray wide = Nd4j.zeros(DataType.INT64, 2, 5);
        assertThatThrownBy(() -> new DalleTransformer(TINY).textIds(new TokenBatch(wide, wide, enc, 20)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("contextLength 4");
    }
}
