package dev.pictor.nn.fused;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.TransformerBlock;
import dev.pictor.nn.onednn.OneDnn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused stack against the same layers as plain graph ops: loss and every gradient (input and parameters),
 * float32, for causal and bidirectional stacks and each activation with a oneDNN backward.
 */
class TransformerStackTrainingTest {

    private record Run(double loss, Map<String, INDArray> gradients, boolean fused) {
    }

    /** loss = Σ y ⊙ r for a fixed random r, so every output element carries a distinct gradient. */
    private static Run run(boolean fused, Activation activation, boolean causal, int layers) {
        Graph g = new Graph(DataType.FLOAT, 7, Graph.Mode.TRAIN).fusedTraining(fused);
        TransformerBlock block = new TransformerBlock(16, 4, 40, activation, TransformerBlock.Norm.PRE, 1e-5,
                TransformerBlock.Names.CLIP);
        INDArray xValue = rand(3, 3, 6, 16)
                .subi(0.5).muli(2);
        SDVariable x = g.variable("x", xValue);
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            prefixes.add("layers." + i);
        }
        SDVariable y = block.applyStack(g, prefixes, x, causal);
        for (String p : g.paramNames()) {
            // Non-trivial norms: gains and biases away from their 1 and 0 starting values.
            if (p.contains("layer_norm")) {
                INDArray v = g.sameDiff().getArrForVarName(p);
                v.addi(rand(p.hashCode(), v.shape()).subi(0.5));
            }
        }
        INDArray r = rand(11, 3, 6, 16);
        SDVariable loss = y.mul(g.sameDiff().constant(r)).sum();
        List<String> wrt = new ArrayList<>(g.paramNames());
        wrt.add("x");
        Graph.Gradients.Result res = g.gradientRunner(loss, wrt).compute(Map.of());
        Map<String, INDArray> grads = new LinkedHashMap<>();
        res.gradients().forEach((k, v) -> grads.put(k, v.dup()));
        boolean usedFused = java.util.Arrays.stream(g.sameDiff().ops())
                .anyMatch(o -> o instanceof TransformerStackOp);
        return new Run(res.loss(), grads, usedFused);
    }

    /** Uniform [0, 1) floats from a seed. */
    private static INDArray rand(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return Nd4j.create(v, shape, 'c');
    }

    @ParameterizedTest
    @CsvSource({"QUICK_GELU, true, 2", "GELU, false, 2", "RELU, true, 1", "SILU, false, 3"})
    void gradientsMatchThePlainGraph(Activation activation, boolean causal, int layers) {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        Run plain = run(false, activation, causal, layers);
        Run fused = run(true, activation, causal, layers);
        assertTrue(fused.fused() && !plain.fused(), "one run fused, the other plain");
        assertEquals(plain.loss(), fused.loss(), 1e-4 * Math.max(1, Math.abs(plain.loss())));
        assertEquals(plain.gradients().keySet(), fused.gradients().keySet());
        for (String name : plain.gradients().keySet()) {
            INDArray a = plain.gradients().get(name);
            INDArray b = fused.gradients().get(name);
            // The key bias's true gradient is 0 (softmax ignores a constant added to a row): float32 noise there.
            double scale = Math.max(1e-2, a.norm2Number().doubleValue());
            double diff = a.sub(b).norm2Number().doubleValue();
            assertTrue(diff <= 1e-4 * scale, name + ": |plain − fused| = " + diff + " against |plain| = " + scale);
        }
    }

    @Test
    void refusesPostNormBlocks() {
        TransformerBlock bert = new TransformerBlock(16, 4, 40, Activation.GELU, TransformerBlock.Norm.POST, 1e-12,
                TransformerBlock.Names.BERT);
        assertThrows(IllegalArgumentException.class, () -> new TransformerStackTraining(bert, 2, false));
    }

    @Test
    void backwardBeforeForwardIsAnError() {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        TransformerBlock block = new TransformerBlock(16, 4, 40, Activation.GELU, TransformerBlock.Norm.PRE, 1e-5,
                TransformerBlock.Names.CLIP);
        try (TransformerStackTraining t = new TransformerStackTraining(block, 1, false)) {
            INDArray[] none = new INDArray[TransformerStackTraining.PER_LAYER];
            assertThrows(IllegalStateException.class, () -> t.backward(Nd4j.zeros(DataType.FLOAT, 1, 2, 16), none,
                    Nd4j.zeros(DataType.FLOAT, 1, 2, 16), none));
        }
    }
}
