package dev.pictor.nn.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.nn.Fixture;
import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.TransformerBlock;
import dev.pictor.nn.onednn.OneDnn;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TransformerStackTest {
    static final TransformerBlock CLIP_LIKE = new TransformerBlock(8, 2, 32, Activation.QUICK_GELU,
            TransformerBlock.Norm.PRE, 1e-5, TransformerBlock.Names.CLIP);
    static final TransformerBlock BERT_LIKE = new TransformerBlock(8, 2, 32, Activation.GELU,
            TransformerBlock.Norm.POST, 1e-12, TransformerBlock.Names.BERT);

    @BeforeAll
    static void oneDnnLoads() {
        // The project ships oneDNN's linux-x86_64 build: on this platform it must load, not be skipped.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").matches("amd64|x86_64"), "oneDNN natives are shipped for linux-x86_64");
        assertThat(OneDnn.available()).as(String.valueOf(OneDnn.unavailableReason())).isTrue();
    }

    @Test
    void preLnCausalLayerMatchesPyTorch() {
        Fixture f = Fixture.load("transformer_pre_ln");
        try (TransformerStack stack = TransformerStack.of(CLIP_LIKE, List.of(""), f.params())) {
            Fixture.assertClose(stack.run(f.get("input.x"), null, true), f.get("output"), "fused pre-LN causal layer");
        }
    }

    @Test
    void postLnPaddedLayerMatchesPyTorch() {
        Fixture f = Fixture.load("transformer_post_ln");
        try (TransformerStack stack = TransformerStack.of(BERT_LIKE, List.of(""), f.params())) {
            INDArray out = stack.run(f.get("input.x"), f.get("input.mask"), false);
            Fixture.assertClose(out, f.get("output"), "fused post-LN padded layer");
            // A second run reuses the plan and buffers and must give the same numbers.
            INDArray first = out.dup();
            assertThat(stack.run(f.get("input.x"), f.get("input.mask"), false)).isEqualTo(first);
        }
    }

    /** Three layers of a wider block, every mask kind, against the graph (itself checked against PyTorch). */
    @Test
    void deepStacksMatchTheGraphForEveryMaskKind() {
        for (TransformerBlock.Norm norm : TransformerBlock.Norm.values()) {
            TransformerBlock block = new TransformerBlock(64, 4, 256,
                    norm == TransformerBlock.Norm.PRE ? Activation.QUICK_GELU : Activation.GELU, norm, 1e-5,
                    norm == TransformerBlock.Norm.PRE ? TransformerBlock.Names.CLIP : TransformerBlock.Names.BERT);
            for (boolean causal : new boolean[] {false, true}) {
                Graph g = new Graph(DataType.FLOAT, 11, Graph.Mode.INFER);
                SDVariable x = g.input("x", -1, -1, 64);
                SDVariable mask = g.input("mask", -1, -1);
                SDVariable h = x;
                for (String p : TransformerStack.prefixes("layers", 3)) {
                    h = block.apply(g, p, h, mask, causal);
                }
                g.load(randomized(g.state()), true);
                try (TransformerStack stack = TransformerStack.of(block, TransformerStack.prefixes("layers", 3),
                        g.state())) {
                    for (int[] shape : new int[][] {{3, 7}, {1, 5}, {2, 16}}) {
                        INDArray in = Nd4j.randn(DataType.FLOAT, shape[0], shape[1], 64);
                        INDArray padded = Nd4j.ones(DataType.FLOAT, shape[0], shape[1]);
                        for (int b = 0; b < shape[0]; b++) {
                            for (int t = shape[1] - b; t < shape[1]; t++) {
                                padded.putScalar(b, t, 0);
                            }
                        }
                        for (INDArray m : new INDArray[] {padded, Nd4j.ones(DataType.FLOAT, shape[0], shape[1])}) {
                            INDArray expected = g.output(Map.of("x", in, "mask", m), h);
                            String what = norm + (causal ? " causal " : " ") + java.util.Arrays.toString(shape);
                            Fixture.assertClose(stack.run(in, m, causal), expected, "fused " + what);
                        }
                    }
                }
            }
        }
    }

    /** A session's cached keys and values give the outputs of recomputing the whole prefix, position by position. */
    @Test
    void cachedDecodingEqualsRecomputingThePrefix() {
        for (TransformerBlock.Norm norm : TransformerBlock.Norm.values()) {
            TransformerBlock block = new TransformerBlock(64, 4, 256, Activation.GELU, norm, 1e-5,
                    TransformerBlock.Names.CLIP);
            Graph g = new Graph(DataType.FLOAT, 13, Graph.Mode.INFER);
            SDVariable x = g.input("x", -1, -1, 64);
            SDVariable h = x;
            for (String p : TransformerStack.prefixes("layers", 3)) {
                h = block.apply(g, p, h, null, true);
            }
            g.load(randomized(g.state()), true);
            try (TransformerStack stack = TransformerStack.of(block, TransformerStack.prefixes("layers", 3), g.state())) {
                INDArray in = Nd4j.randn(DataType.FLOAT, 2, 20, 64);
                INDArray expected = stack.run(in, null, true).dup();
                Fixture.assertClose(expected, g.output(Map.of("x", in), h), norm + ": fused causal run vs graph");
                try (TransformerStack.Session session = stack.session(2, 24)) {
                    Fixture.assertClose(session.feed(window(in, 0, 8)), window(expected, 0, 8), norm + ": prefix");
                    for (int t = 8; t < 20; t += t == 12 ? 3 : 1) {
                        int n = t == 12 ? 3 : 1;
                        // a plain run in between shares the workspace, not the cache
                        stack.run(Nd4j.randn(DataType.FLOAT, 1, 5, 64), null, false);
                        Fixture.assertClose(session.feed(window(in, t, t + n)), window(expected, t, t + n),
                                norm + ": position " + t + " from the cache");
                    }
                    assertThat(session.length()).isEqualTo(20);
                    assertThatThrownBy(() -> session.feed(window(in, 0, 5))).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("exceeds the session's 24");
                }
            }
        }
    }

    private static INDArray window(INDArray x, int from, int to) {
        return x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(from,
                to), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
    }

    @Test
    void keepsALimitedNumberOfShapesAndStaysRightAfterEvicting() {
        Fixture f = Fixture.load("transformer_post_ln");
        try (TransformerStack stack = TransformerStack.of(BERT_LIKE, List.of(""), f.params())) {
            INDArray probe = Nd4j.randn(DataType.FLOAT, 1, 2, 8);
            INDArray early = stack.run(probe, null, false).dup();
            for (int t = 1; t <= TransformerStack.PLANS + 3; t++) {
                stack.run(Nd4j.randn(DataType.FLOAT, 1, t, 8), null, false);
            }
            assertThat(stack.cachedShapes()).hasSize(TransformerStack.PLANS).doesNotContain("1x2:none")
                    .endsWith("1x" + (TransformerStack.PLANS + 3) + ":none");
            // One workspace for every shape, as large as the largest: a smaller shape allocates nothing.
            long bytes = stack.workspaceBytes();
            assertThat(bytes).isPositive();
            // An evicted shape is rebuilt and gives the same numbers (in a workspace reallocated since it last ran);
            // the most recent one is still cached.
            assertThat(stack.run(probe, null, false)).isEqualTo(early);
            assertThat(stack.workspaceBytes()).isEqualTo(bytes);
            assertThat(stack.cachedShapes()).endsWith("1x2:none");
            Fixture.assertClose(stack.run(f.get("input.x"), f.get("input.mask"), false), f.get("output"),
                    "fused post-LN after eviction");
        }
    }

    @Test
    void profilingCountsEveryKernelCall() {
        Fixture f = Fixture.load("transformer_post_ln");
        try (TransformerStack stack = TransformerStack.of(BERT_LIKE, List.of("", ""), f.params())) {
            stack.profiling(true);
            stack.run(f.get("input.x"), f.get("input.mask"), false);
            Map<String, long[]> p = stack.profile();
            assertThat(p.get("qkv projection")[1]).isEqualTo(2);
            assertThat(p.get("layer norm")[1]).isEqualTo(4);
            assertThat(p).containsKeys("attention scores", "softmax", "attention context", "mlp in + activation");
            stack.profiling(false);
            assertThat(stack.profile()).isEmpty();
        }
    }

    @Test
    void badInputsAreNamed() {
        Fixture f = Fixture.load("transformer_post_ln");
        try (TransformerStack stack = TransformerStack.of(BERT_LIKE, List.of(""), f.params())) {
            assertThatThrownBy(() -> stack.run(Nd4j.zeros(DataType.FLOAT, 2, 5, 9), null, false))
                    .hasMessageContaining("[batch, length, 8]");
            assertThatThrownBy(() -> stack.run(Nd4j.zeros(DataType.FLOAT, 2, 5, 8), Nd4j.ones(2, 4), false))
                    .hasMessageContaining("mask must be [2, 5]");
        }
        Map<String, INDArray> wrong = new HashMap<>(f.params());
        wrong.put("intermediate.dense.weight", Nd4j.zeros(DataType.FLOAT, 16, 8));
        assertThatThrownBy(() -> TransformerStack.of(BERT_LIKE, List.of(""), wrong))
                .hasMessageContaining("intermediate.dense.weight has shape [16, 8] but this block needs [32, 8]");
        Map<String, INDArray> missing = new HashMap<>(f.params());
        missing.remove("output.dense.bias");
        assertThatThrownBy(() -> TransformerStack.of(BERT_LIKE, List.of(""), missing))
                .hasMessageContaining("no parameter output.dense.bias");
    }

    private static Map<String, INDArray> randomized(Map<String, INDArray> state) {
        Map<String, INDArray> out = new HashMap<>();
        Nd4j.getRandom().setSeed(5);
        state.forEach((k, v) -> out.put(k, k.contains("norm") || k.contains("LayerNorm")
                ? Nd4j.rand(DataType.FLOAT, v.shape()).addi(0.5) : Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.2)));
        return out;
    }
}
