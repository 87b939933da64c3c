package dev.pictor.nn.layers;

import dev.pictor.nn.GradientCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every layer's gradients against central finite differences, in float64, on small random shapes. */
class FiniteDifferenceTest {
    private static final int SAMPLES = 12;

    @Test
    void linearAndMlp() {
        GradientCheck.check(Map.of("x", new long[] {2, 3, 4}),
                in -> g -> new Linear(4, 3, true).apply(g, "lin", in.get("x")), SAMPLES, 1);
        GradientCheck.check(Map.of("x", new long[] {3, 4}),
                in -> g -> new Mlp(4, 6, Activation.GELU, "fc1", "fc2").apply(g, "", in.get("x")), SAMPLES, 2);
    }

    @Test
    void norms() {
        GradientCheck.check(Map.of("x", new long[] {2, 3, 5}),
                in -> g -> new LayerNorm(5, 1e-5).apply(g, "ln", in.get("x")), SAMPLES, 3);
        GradientCheck.check(Map.of("x", new long[] {2, 4, 3, 3}),
                in -> g -> new GroupNorm(2, 4, 1e-5).apply(g, "gn", in.get("x")), SAMPLES, 4);
    }

    @Test
    void convolutions() {
        GradientCheck.check(Map.of("x", new long[] {1, 2, 5, 5}),
                in -> g -> Conv2d.same(2, 3, 3).apply(g, "c", in.get("x")), SAMPLES, 5);
        GradientCheck.check(Map.of("x", new long[] {1, 2, 6, 6}),
                in -> g -> new Downsample(2).apply(g, "d", in.get("x")), SAMPLES, 6);
        GradientCheck.check(Map.of("x", new long[] {1, 2, 3, 3}),
                in -> g -> new Upsample(2, true).apply(g, "u", in.get("x")), SAMPLES, 7);
        GradientCheck.check(Map.of("x", new long[] {2, 3, 4, 4}),
                in -> g -> new MaxPool2d(2).apply(g, Conv2d.same(3, 3, 3).apply(g, "c", in.get("x"))), SAMPLES, 9);
    }

    @Test
    void activations() {
        for (Activation a : Activation.values()) {
            GradientCheck.check(Map.of("x", new long[] {3, 4}), in -> g -> a.apply(g, in.get("x")), SAMPLES, 8);
        }
    }

    @Test
    void resnetBlock() {
        GradientCheck.check(Map.of("x", new long[] {1, 2, 4, 4}, "t", new long[] {1, 3}),
                in -> g -> new ResnetBlock(2, 4, 3, 2, 1e-5).apply(g, "r", in.get("x"), in.get("t")), SAMPLES, 9);
    }

    @Test
    void attention() {
        GradientCheck.check(Map.of("x", new long[] {2, 3, 4}),
                in -> g -> MultiHeadAttention.self(4, 2, AttentionNames.CLIP).apply(g, "a", in.get("x"), null, null,
                        true), SAMPLES, 10);
        GradientCheck.check(Map.of("x", new long[] {2, 3, 4}, "c", new long[] {2, 2, 5}),
                in -> g -> new MultiHeadAttention(4, 2, 5, AttentionNames.DIFFUSERS).apply(g, "a", in.get("x"),
                        in.get("c"), null, false), SAMPLES, 11);
    }

    @Test
    void transformerBlocks() {
        for (TransformerBlock.Norm norm : TransformerBlock.Norm.values()) {
            GradientCheck.check(Map.of("x", new long[] {1, 3, 4}),
                    in -> g -> new TransformerBlock(4, 2, 8, Activation.GELU, norm, 1e-5, TransformerBlock.Names.BERT)
                            .apply(g, "layer", in.get("x"), null, norm == TransformerBlock.Norm.PRE), 6, 12);
        }
    }
}
