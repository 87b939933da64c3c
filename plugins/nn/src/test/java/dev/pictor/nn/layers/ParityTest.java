package dev.pictor.nn.layers;

import dev.pictor.nn.Fixture;
import dev.pictor.nn.Graph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every layer against PyTorch: forward output and the gradients of sum(output · R) with respect to every
 * parameter and input, within the project's parity rule (dev.pictor.api.testing.Tolerance: |a - b| <= atol +
 * 1e-5 |b|, atol scaled to the tensor and its case), on fixtures made by src/test/python/make_fixtures.py.
 */
class ParityTest {

    /** Writes target/parity-report.txt: each case's worst error as a share of its bound (1 = at the bound). */
    @org.junit.jupiter.api.AfterAll
    static void report() throws java.io.IOException {
        StringBuilder sb = new StringBuilder("case\tworst error / bound (output and gradients, float32 vs PyTorch float64;"
                + " bound |a - b| <= atol + 1e-5 |b|)\n");
        Fixture.WORST.forEach((k, v) -> sb.append(k).append('\t').append(String.format("%.2e", v)).append('\n'));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "parity-report.txt"), sb);
    }

    @Test
    void linear() {
        Fixture.load("linear").check((g, in) -> new Linear(7, 5, true).apply(g, "", in.get("x")));
        Fixture.load("linear_nobias").check((g, in) -> new Linear(6, 4, false).apply(g, "", in.get("x")));
    }

    @Test
    void embeddingTrainsThroughOneHotAndInfersThroughGather() {
        Fixture f = Fixture.load("embedding");
        f.check((g, in) -> new Embedding(11, 6).apply(g, "", in.get("ids")));
        f.checkForward(Graph.Mode.INFER, (g, in) -> new Embedding(11, 6).apply(g, "", in.get("ids")));
    }

    @Test
    void layerNorm() {
        Fixture.load("layer_norm").check((g, in) -> new LayerNorm(8, 1e-5).apply(g, "", in.get("x")));
    }

    @Test
    void groupNorm() {
        Fixture.load("group_norm").check((g, in) -> new GroupNorm(4, 8, 1e-5).apply(g, "", in.get("x")));
    }

    @Test
    void conv2d() {
        Fixture.load("conv2d").check((g, in) -> Conv2d.same(3, 4, 3).apply(g, "", in.get("x")));
        Fixture.load("conv2d").checkForward(Graph.Mode.INFER, (g, in) -> Conv2d.same(3, 4, 3).apply(g, "", in.get("x")));
        Fixture.load("downsample").checkForward(Graph.Mode.INFER, (g, in) -> new Downsample(4).apply(g, "", in.get("x")));
        Fixture.load("resnet_block").checkForward(Graph.Mode.INFER, (g, in) -> new ResnetBlock(4, 8, 6, 2, 1e-5)
                .apply(g, "", in.get("x"), in.get("temb")));
        Fixture.load("conv2d_1x1").check((g, in) -> new Conv2d(4, 6, 1, 1, 0, true).apply(g, "", in.get("x")));
    }

    @Test
    void downsampleAndUpsample() {
        Fixture.load("downsample").check((g, in) -> new Downsample(4).apply(g, "", in.get("x")));
        Fixture.load("upsample").check((g, in) -> new Upsample(3, true).apply(g, "", in.get("x")));
    }

    /**
     * The convolution family in NHWC graphs against the same (NCHW) PyTorch fixtures: the test permutes the input
     * to NHWC and the output back, so outputs, parameter gradients and input gradients must all still match.
     */
    @Test
    void convolutionFamilyInNhwc() {
        java.util.function.BiFunction<Graph, java.util.function.UnaryOperator<org.nd4j.autodiff.samediff.SDVariable>,
                java.util.function.Function<org.nd4j.autodiff.samediff.SDVariable, org.nd4j.autodiff.samediff.SDVariable>>
                nhwc = (g, layer) -> x -> {
                    g.layout(Graph.Layout.NHWC);
                    return g.sameDiff().permute(layer.apply(g.sameDiff().permute(x, 0, 2, 3, 1)), 0, 3, 1, 2);
                };
        for (Graph.Mode mode : Graph.Mode.values()) {
            java.util.function.BiFunction<Graph, java.util.Map<String, org.nd4j.autodiff.samediff.SDVariable>,
                    org.nd4j.autodiff.samediff.SDVariable> conv = (g, in) -> nhwc.apply(g,
                    x -> Conv2d.same(3, 4, 3).apply(g, "", x)).apply(in.get("x"));
            java.util.function.BiFunction<Graph, java.util.Map<String, org.nd4j.autodiff.samediff.SDVariable>,
                    org.nd4j.autodiff.samediff.SDVariable> gn = (g, in) -> nhwc.apply(g,
                    x -> new GroupNorm(4, 8, 1e-5).apply(g, "", x)).apply(in.get("x"));
            java.util.function.BiFunction<Graph, java.util.Map<String, org.nd4j.autodiff.samediff.SDVariable>,
                    org.nd4j.autodiff.samediff.SDVariable> up = (g, in) -> nhwc.apply(g,
                    x -> new Upsample(3, true).apply(g, "", x)).apply(in.get("x"));
            java.util.function.BiFunction<Graph, java.util.Map<String, org.nd4j.autodiff.samediff.SDVariable>,
                    org.nd4j.autodiff.samediff.SDVariable> down = (g, in) -> nhwc.apply(g,
                    x -> new Downsample(4).apply(g, "", x)).apply(in.get("x"));
            java.util.function.BiFunction<Graph, java.util.Map<String, org.nd4j.autodiff.samediff.SDVariable>,
                    org.nd4j.autodiff.samediff.SDVariable> res = (g, in) -> nhwc.apply(g,
                    x -> new ResnetBlock(4, 8, 6, 2, 1e-5).apply(g, "", x, in.get("temb"))).apply(in.get("x"));
            if (mode == Graph.Mode.TRAIN) {
                Fixture.load("conv2d").check(conv);
                Fixture.load("group_norm").check(gn);
                Fixture.load("upsample").check(up);
                Fixture.load("downsample").check(down);
                Fixture.load("resnet_block").check(res);
            } else {
                Fixture.load("conv2d").checkForward(mode, conv);
                Fixture.load("group_norm").checkForward(mode, gn);
                Fixture.load("upsample").checkForward(mode, up);
                Fixture.load("downsample").checkForward(mode, down);
                Fixture.load("resnet_block").checkForward(mode, res);
            }
        }
    }

    @Test
    void activations() {
        Fixture.load("gelu").check((g, in) -> Activation.GELU.apply(g, in.get("x")));
        Fixture.load("quick_gelu").check((g, in) -> Activation.QUICK_GELU.apply(g, in.get("x")));
        Fixture.load("silu").check((g, in) -> Activation.SILU.apply(g, in.get("x")));
    }

    @Test
    void timestepEmbedding() {
        Fixture.load("timestep_embedding").check((g, in) -> new TimestepEmbedding(16, true, 1, 10000)
                .apply(g, in.get("t")));
    }

    @Test
    void resnetBlock() {
        Fixture.load("resnet_block").check((g, in) -> new ResnetBlock(4, 8, 6, 2, 1e-5)
                .apply(g, "", in.get("x"), in.get("temb")));
        Fixture.load("resnet_block_same").check((g, in) -> new ResnetBlock(4, 4, 6, 2, 1e-5)
                .apply(g, "", in.get("x"), in.get("temb")));
    }

    @Test
    void selfAttentionWithPaddingMask() {
        Fixture.load("self_attention").check((g, in) -> MultiHeadAttention.self(8, 2,
                new AttentionNames("query", "key", "value", "dense")).apply(g, "", in.get("x"), null, in.get("mask"),
                false));
    }

    @Test
    void causalSelfAttention() {
        Fixture.load("causal_attention").check((g, in) -> MultiHeadAttention.self(8, 2, AttentionNames.CLIP)
                .apply(g, "", in.get("x"), null, null, true));
    }

    @Test
    void crossAttention() {
        Fixture.load("cross_attention").check((g, in) -> new MultiHeadAttention(8, 2, 6, AttentionNames.DIFFUSERS)
                .apply(g, "", in.get("x"), in.get("context"), in.get("mask"), false));
    }

    @Test
    void mlp() {
        Fixture.load("mlp").check((g, in) -> new Mlp(8, 16, Activation.GELU, "fc1", "fc2").apply(g, "", in.get("x")));
    }

    @Test
    void transformerBlockPreLnAsClip() {
        Fixture.load("transformer_pre_ln").check((g, in) -> new TransformerBlock(8, 2, 32, Activation.QUICK_GELU,
                TransformerBlock.Norm.PRE, 1e-5, TransformerBlock.Names.CLIP).apply(g, "", in.get("x"), null, true));
    }

    @Test
    void transformerBlockPostLnAsBert() {
        Fixture.load("transformer_post_ln").check((g, in) -> new TransformerBlock(8, 2, 32, Activation.GELU,
                TransformerBlock.Norm.POST, 1e-12, TransformerBlock.Names.BERT)
                .apply(g, "", in.get("x"), in.get("mask"), false));
    }
}
