package dev.pictor.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.nn.layers.Linear;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GraphExecutorTest {
    @Test
    void matchesSameDiffAndReusesItsArraysWhileShapesStay() {
        Graph g = new Graph(DataType.FLOAT, 3);
        SDVariable y = new Linear(4, 3, true).apply(g, "fc", g.input("x", -1, 4));
        GraphExecutor ex = new GraphExecutor(g.sameDiff(), List.of(y.name()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4);
        INDArray expected = g.sameDiff().output(Map.of("x", x), y.name()).get(y.name());
        INDArray first = ex.outputShared(Map.of("x", x)).get(y.name());
        assertThat(first).isEqualTo(expected);
        INDArray second = ex.outputShared(Map.of("x", x.mul(2))).get(y.name());
        assertThat(second).as("same shape: the same array is reused").isSameAs(first);
        INDArray copy = ex.output(Map.of("x", x)).get(y.name());
        assertThat(copy).isEqualTo(expected).isNotSameAs(first);
        INDArray bigger = ex.outputShared(Map.of("x", Nd4j.rand(DataType.FLOAT, 7, 4))).get(y.name());
        assertThat(bigger.shape()).containsExactly(7, 3);
    }

    @Test
    void profilesOpsAndNamesAMissingPlaceholder() {
        Graph g = new Graph(DataType.FLOAT, 3);
        SDVariable y = new Linear(4, 3, true).apply(g, "fc", g.input("x", -1, 4));
        GraphExecutor ex = new GraphExecutor(g.sameDiff(), List.of(y.name())).profiling(true);
        ex.outputShared(Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 4)));
        assertThat(ex.profile()).containsKey("matmul");
        assertThat(ex.profile().get("matmul")[1]).isEqualTo(1);
        assertThatThrownBy(() -> ex.outputShared(Map.of())).hasMessageContaining("feed placeholder 'x'");
    }
}
