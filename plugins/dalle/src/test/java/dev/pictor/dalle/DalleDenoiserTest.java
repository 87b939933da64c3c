package dev.pictor.dalle;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DecodingSession;
import dev.pictor.api.testing.Tolerance;
import dev.pictor.nn.Graph;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Decoding with the key/value cache gives the graph's logits, position by position. */
class DalleDenoiserTest {
    static final DalleConfig SMALL = new DalleConfig(30, 5, 12, 3, 32, 2, 4);

    @Test
    void cachedDecodingEqualsTheGraphAtEveryPosition() {
        Graph g = new Graph(DataType.FLOAT, 11, Graph.Mode.INFER);
        int m = SMALL.imageTokens() - 1;
        SDVariable logits = new DalleTransformer(SMALL).logits(g, g.input("text", DataType.INT64, -1, 5),
                g.input("image", DataType.INT64, -1, m));
        long[][] text = {{2, 9, 29, 30 + 3, 30 + 4}, {7, 7, 1, 0, 30 + 4}};
        long[][] codes = new long[2][m];
        for (int i = 0; i < m; i++) {
            codes[0][i] = (i * 5) % 12;
            codes[1][i] = (i * 7 + 3) % 12;
        }
        INDArray expected = g.output(Map.of("text", Nd4j.createFromArray(text), "image",
                Nd4j.createFromArray(codes)), logits);   // [2, 5 + m, V]
        try (DalleDenoiser dalle = new DalleDenoiser(SMALL, g.state());
                DecodingSession s = dalle.open(2, Condition.none())) {
            INDArray got = s.feed(Nd4j.createFromArray(text));
            Tolerance.assertClose32(got, expected.get(NDArrayIndex.all(), NDArrayIndex.point(4), NDArrayIndex.all()),
                    "after the text");
            for (int i = 0; i < m; i++) {
                long[][] next = {{SMALL.imageOffset() + codes[0][i]}, {SMALL.imageOffset() + codes[1][i]}};
                got = s.feed(Nd4j.createFromArray(next));
                Tolerance.assertClose32(got, expected.get(NDArrayIndex.all(), NDArrayIndex.point(5 + i),
                        NDArrayIndex.all()), "after code " + i);
            }
        }
    }

    @Test
    void idsOfTheWrongKindAtAPositionAreRefused() {
        Graph g = new Graph(DataType.FLOAT, 11, Graph.Mode.INFER);
        new DalleTransformer(SMALL).logits(g, g.input("text", DataType.INT64, -1, 5),
                g.input("image", DataType.INT64, -1, 1));
        try (DalleDenoiser dalle = new DalleDenoiser(SMALL, g.state());
                DecodingSession s = dalle.open(1, Condition.none())) {
            assertThatThrownBy(() -> s.feed(Nd4j.createFromArray(new long[][] {{1, 2, 3, 4, 40}})))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("not a text or padding token");
        }
        try (DalleDenoiser dalle = new DalleDenoiser(SMALL, g.state());
                DecodingSession s = dalle.open(1, Condition.none())) {
            s.feed(Nd4j.createFromArray(new long[][] {{1, 2, 3, 4, 5}}));
            assertThatThrownBy(() -> s.feed(Nd4j.createFromArray(new long[][] {{3}})))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("is not a code");
        }
        Map<String, INDArray> missing = new java.util.LinkedHashMap<>(g.state());
        missing.remove("ln_f.weight");
        assertThatThrownBy(() -> new DalleDenoiser(SMALL, missing)).hasMessageContaining("ln_f.weight");
    }
}
