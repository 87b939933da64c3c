package dev.pictor.nn.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.GroupNorm;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The host GroupNorm over channels-last data against the graph layer (itself at parity with PyTorch's). */
class GroupNormKernelTest {
    @Test
    void matchesTheGraphLayerWithAnAddendBeforeIt() {
        int n = 3;
        int c = 64;
        int h = 5;
        int w = 7;
        Nd4j.getRandom().setSeed(3);
        // an offset mean and a spread, as real activations have: a one-pass variance would lose digits here
        INDArray x = Nd4j.randn(DataType.FLOAT, n, h, w, c).muli(3).addi(20);
        INDArray gain = Nd4j.randn(DataType.FLOAT, c);
        INDArray bias = Nd4j.randn(DataType.FLOAT, c);
        // the addend: rows of a wider [n, 100] matrix from column 10, as a UNet's stacked embedding projections
        INDArray table = Nd4j.randn(DataType.FLOAT, n, 100);
        INDArray add = table.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 10 + c));

        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.INFER).layout(Graph.Layout.NHWC);
        SDVariable in = g.input("x", -1, h, w, c);
        SDVariable out = new GroupNorm(32, c, 1e-5).apply(g, "norm", in);
        g.load(Map.of("norm.weight", gain.castTo(DataType.DOUBLE), "norm.bias", bias.castTo(DataType.DOUBLE)), true);
        INDArray shifted = x.castTo(DataType.DOUBLE).add(add.castTo(DataType.DOUBLE).reshape(n, 1, 1, c));
        INDArray expected = g.output(Map.of("x", shifted), out);

        GroupNormKernel kernel = new GroupNormKernel(32, gain, bias, 1e-5);
        INDArray dst = Nd4j.createUninitialized(DataType.FLOAT, n, h, w, c);
        kernel.apply(x.dup('c'), table.dup('c'), 10, 100, dst, n, h * w);
        double worst = dst.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        assertThat(worst).isLessThan(2e-5);

        // in place, without an addend
        INDArray same = shifted.castTo(DataType.FLOAT).dup('c');
        kernel.apply(same, null, 0, 0, same, n, h * w);
        assertThat(same.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue()).isLessThan(2e-5);
    }

    /** The scale-shift form: {@code GroupNorm(x)·(1 + scale) + shift}, each image its own scales and shifts. */
    @Test
    void scalesAndShiftsEachImageAfterNormalising() {
        int n = 2;
        int c = 64;
        int hw = 12;
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, hw, c).muli(2).addi(5);
        INDArray gain = Nd4j.randn(DataType.FLOAT, c);
        INDArray bias = Nd4j.randn(DataType.FLOAT, c);
        // scales then shifts, 2C values an image, from column 6 of a wider table
        INDArray table = Nd4j.randn(DataType.FLOAT, n, 6 + 2 * c + 3);
        GroupNormKernel kernel = new GroupNormKernel(32, gain, bias, 1e-5);
        INDArray normed = Nd4j.createUninitialized(DataType.FLOAT, n, hw, c);
        kernel.apply(x.dup('c'), null, 0, 0, normed, n, hw);
        INDArray dst = Nd4j.createUninitialized(DataType.FLOAT, n, hw, c);
        kernel.applyScaleShift(x.dup('c'), table.dup('c'), 6, table.size(1), dst, n, hw);
        for (int i = 0; i < n; i++) {
            INDArray scale = table.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(6, 6 + c));
            INDArray shift = table.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(6 + c, 6 + 2 * c));
            INDArray expected = normed.slice(i).mulRowVector(scale.add(1)).addRowVector(shift);
            assertThat(dst.slice(i).sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
        }
    }

    @Test
    void refusesMismatchedShapes() {
        assertThatThrownBy(() -> new GroupNormKernel(32, Nd4j.ones(48), Nd4j.ones(48), 1e-5))
                .hasMessageContaining("divide into the groups");
        GroupNormKernel k = new GroupNormKernel(2, Nd4j.ones(DataType.FLOAT, 4), Nd4j.zeros(DataType.FLOAT, 4), 1e-5);
        assertThatThrownBy(() -> k.apply(Nd4j.ones(DataType.FLOAT, 8), null, 0, 0, Nd4j.ones(DataType.FLOAT, 8), 1, 3))
                .hasMessageContaining("too small");
    }
}
