package dev.pictor.nn.fused;

import static dev.pictor.nn.fused.FusedAgainstPlain.rand;

import dev.pictor.nn.layers.SpatialTransformer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The fused GEGLU feed-forward, through a whole spatial transformer (GroupNorm, 1×1 convolutions, LayerNorms, self- and
 * cross-attention, feed-forward: every fused training op of a UNet block) against the plain graph ops.
 */
class FeedForwardOpTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsMatchThePlainGraph(boolean self) {
        FusedAgainstPlain.assertSameGradients(g -> {
            // 2 images of 64 channels, 4 × 5 pixels; 2 heads of 16; depth 2; a context of 7 tokens of 20 (or none)
            SDVariable x = g.variable("x", rand(1, 2, 64, 4, 5));
            SDVariable context = self ? null : g.variable("context", rand(2, 2, 7, 20));
            SDVariable y = new SpatialTransformer(64, 2, 16, 2, 20).apply(g, "st", x, context);
            // move the norms off their initial values
            g.paramNames().stream().filter(n -> n.contains("norm")).forEach(n -> g.sameDiff().getArrForVarName(n)
                    .addi(rand(n.hashCode(), g.sameDiff().getArrForVarName(n).shape()).muli(0.3)));
            return y.mul(g.sameDiff().constant(rand(4, 2, 64, 4, 5))).sum();
        }, self ? List.of("x") : List.of("x", "context"), FeedForwardOp.class);
    }
}
