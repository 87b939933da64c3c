package dev.pictor.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A condition's context, mask and vector travel together through batching and guidance's stacking. */
class ConditionTest {
    @Test
    void repeatsEveryPartForALargerBatch() {
        INDArray context = Nd4j.rand(DataType.FLOAT, 1, 3, 4);
        INDArray vector = Nd4j.rand(DataType.FLOAT, 1, 5);
        Condition c = Condition.of(context).withVector(vector).forBatch(4);
        assertThat(c.context().shape()).containsExactly(4, 3, 4);
        assertThat(c.vector().shape()).containsExactly(4, 5);
        assertThat(c.vector().getRow(3)).isEqualTo(vector.getRow(0));
        assertThat(Condition.of(context).forBatch(2).vectorIfAny()).isEmpty();
    }

    @Test
    void stacksVectorsBesideContextsAndRefusesToStackOneWithOneWithout() {
        Condition a = Condition.of(Nd4j.zeros(DataType.FLOAT, 2, 3, 4)).withVector(Nd4j.zeros(DataType.FLOAT, 2, 5));
        Condition b = Condition.of(Nd4j.ones(DataType.FLOAT, 2, 3, 4)).withVector(Nd4j.ones(DataType.FLOAT, 2, 5));
        Condition both = Condition.stack(a, b).orElseThrow();
        assertThat(both.vector().shape()).containsExactly(4, 5);
        assertThat(both.vector().getRow(3).sumNumber().doubleValue()).isEqualTo(5.0);
        assertThat(Condition.stack(a, Condition.of(Nd4j.ones(DataType.FLOAT, 2, 3, 4)))).isEmpty();
    }
}
