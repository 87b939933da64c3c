package dev.pictor.nn.fused;

import static dev.pictor.nn.fused.FusedAgainstPlain.rand;

import dev.pictor.nn.layers.GroupNorm;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;

/** The fused GroupNorm (with and without its SiLU) against the plain graph ops: loss and every gradient. */
class GroupNormOpTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gradientsMatchThePlainGraph(boolean silu) {
        FusedAgainstPlain.assertSameGradients(g -> {
            // 3 images of 64 channels in 32 groups of 2, 5 × 6 pixels; an offset mean, as real activations have
            SDVariable x = g.variable("x", rand(1, 3, 64, 5, 6).muli(3).addi(2));
            GroupNorm norm = new GroupNorm(32, 64, 1e-5);
            SDVariable y = silu ? norm.applySilu(g, "gn", x) : norm.apply(g, "gn", x);
            g.sameDiff().getArrForVarName("gn.weight").addi(rand(2, 64).muli(0.5));
            g.sameDiff().getArrForVarName("gn.bias").addi(rand(3, 64).muli(0.5));
            return y.mul(g.sameDiff().constant(rand(4, 3, 64, 5, 6))).sum();
        }, List.of("x"), GroupNormOp.class);
    }
}
