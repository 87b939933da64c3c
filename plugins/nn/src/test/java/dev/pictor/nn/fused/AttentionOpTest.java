package dev.pictor.nn.fused;

import static dev.pictor.nn.fused.FusedAgainstPlain.rand;

import dev.pictor.nn.layers.CrossAttention;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;

/** The fused CrossAttention, self and cross, against the plain graph ops: loss and every gradient. */
class AttentionOpTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsMatchThePlainGraph(boolean self) {
        FusedAgainstPlain.assertSameGradients(g -> {
            // 3 sequences of 10 positions, width 24, 2 heads of 16 (inner 32 ≠ width); a context of 7 tokens of 20
            SDVariable x = g.variable("x", rand(1, 3, 10, 24));
            SDVariable context = self ? null : g.variable("context", rand(2, 3, 7, 20));
            SDVariable y = new CrossAttention(24, self ? 24 : 20, 2, 16).apply(g, "attn", x, context);
            return y.mul(g.sameDiff().constant(rand(4, 3, 10, 24))).sum();
        }, self ? List.of("x") : List.of("x", "context"), AttentionOp.class);
    }
}
