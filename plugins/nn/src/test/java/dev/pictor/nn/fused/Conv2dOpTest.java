package dev.pictor.nn.fused;

import static dev.pictor.nn.fused.FusedAgainstPlain.rand;

import dev.pictor.nn.layers.Conv2d;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;

/** The fused Conv2d (3×3 same, 3×3 stride 2, 1×1, without bias, 4 input channels) against the plain graph ops. */
class Conv2dOpTest {
    private static final Conv2d[] CASES = {Conv2d.same(20, 24, 3), new Conv2d(20, 24, 3, 2, 1, true),
        new Conv2d(20, 36, 1, 1, 0, true), new Conv2d(20, 24, 3, 1, 1, false), Conv2d.same(4, 32, 3)};

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void gradientsMatchThePlainGraph(int which) {
        Conv2d conv = CASES[which];
        FusedAgainstPlain.assertSameGradients(g -> {
            SDVariable x = g.variable("x", rand(1, 3, conv.in(), 8, 6));
            SDVariable y = conv.apply(g, "conv", x);
            long oh = (8 + 2 * conv.padding() - conv.kernel()) / conv.stride() + 1;
            long ow = (6 + 2 * conv.padding() - conv.kernel()) / conv.stride() + 1;
            return y.mul(g.sameDiff().constant(rand(4, 3, conv.out(), oh, ow))).sum();
        }, List.of("x"), Conv2dOp.class);
    }
}
