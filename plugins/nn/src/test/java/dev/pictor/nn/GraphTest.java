package dev.pictor.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.Linear;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class GraphTest {
    @Test
    void aDescribingGraphHasTheModelsNamesAndShapesButNoValues() {
        Graph built = new Graph(DataType.FLOAT, 1);
        Graph described = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        for (Graph g : new Graph[] {built, described}) {
            new Linear(2000, 3000, true).apply(g, "fc", g.input("x", -1, 2000));
            new Conv2d(3, 8, 3, 1, 1, true).apply(g, "conv", g.input("image", -1, 3, 4, 4));
        }
        assertThat(described.shapes()).usingRecursiveComparison().isEqualTo(built.shapes());
        assertThat(described.shapes().get("fc.weight")).containsExactly(3000, 2000);
        Graph.checkState(described.shapes(), built.shapes(), true);
        assertThat(described.params().get("fc.weight").getArr()).isNull();
        assertThatThrownBy(() -> described.load(Map.of("fc.weight", Nd4j.zeros(3000, 2000)), false))
                .hasMessageContaining("describes");
    }
}
