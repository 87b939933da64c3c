package dev.pictor.nn.fused;

import static dev.pictor.nn.fused.FusedAgainstPlain.rand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.LayerNorm;
import dev.pictor.nn.onednn.OneDnn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;

/** The fused LayerNorm against the plain graph ops: output, loss and the gradients of x, gain and bias. */
class LayerNormOpTest {

    @Test
    void gradientsMatchThePlainGraph() {
        FusedAgainstPlain.assertSameGradients(g -> {
            SDVariable x = g.variable("x", rand(1, 4, 7, 24).muli(3).addi(0.5));
            SDVariable y = new LayerNorm(24, 1e-5).apply(g, "ln", x);
            g.sameDiff().getArrForVarName("ln.weight").addi(rand(2, 24).muli(0.3));
            g.sameDiff().getArrForVarName("ln.bias").addi(rand(3, 24).muli(0.3));
            return y.mul(g.sameDiff().constant(rand(4, 4, 7, 24))).sum();
        }, List.of("x"), LayerNormOp.class);
    }

    /** SameDiff's own session cannot run a fused op: it says so instead of letting libnd4j abort the JVM. */
    @Test
    void sameDiffsOwnSessionRefusesFusedOpsWithAMessage() {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        Graph g = new Graph(DataType.FLOAT, 5, Graph.Mode.TRAIN);
        SDVariable y = new LayerNorm(24, 1e-5).apply(g, "ln", g.variable("x", rand(1, 3, 24)));
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> g.sameDiff().output(Map.of(), y.name()));
        while (t.getCause() != null && !(t instanceof IllegalStateException)) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("only Pictor's GraphExecutor runs"), t.toString());
        // and Pictor's own executor runs it
        assertEquals(3 * 24, g.output(Map.of(), y).length());
    }
}
