package dev.pictor.bench;

import dev.pictor.nn.Graph;
import dev.pictor.nn.inference.TransformerStack;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.TransformerBlock;
import dev.pictor.nn.layers.AttentionNames;
import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.Linear;
import dev.pictor.nn.layers.MultiHeadAttention;
import dev.pictor.nn.layers.ResnetBlock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;

/**
 * Forward passes of the project's own layers at the shapes the zoo runs, and the bare ND4J matrix product they
 * are built on. FLOP counts per call are in {@link Flops}; {@link BenchMain} turns times into GFLOP/s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayerBenchmarks {

    /** Square matrix products: the Mmul op (oneDNN), INDArray.mmul, and our Linear layer. */
    @State(Scope.Thread)
    public static class Square {
        @Param({"512", "1024", "2048"})
        public int n;
        INDArray a;
        INDArray b;
        INDArray c;
        Graph graph;
        SDVariable linear;

        @Setup(Level.Trial)
        public void setup() {
            a = Nd4j.rand(DataType.FLOAT, n, n);
            b = Nd4j.rand(DataType.FLOAT, n, n);
            c = Nd4j.create(DataType.FLOAT, n, n);
            graph = new Graph(DataType.FLOAT, 1);
            linear = new Linear(n, n, false).apply(graph, "fc", graph.input("x", n, n));
        }
    }

    @Benchmark
    public INDArray gemmOp(Square s) {
        return Nd4j.gemm(s.a, s.b, s.c, false, false, 1.0, 0.0);
    }

    @Benchmark
    public INDArray indarrayMmul(Square s) {
        return s.a.mmul(s.b);
    }

    /** Our Linear, result copied out (what {@code Graph.output} returns): the copy is a fresh allocation. */
    @Benchmark
    public INDArray linearLayerCopied(Square s) {
        return s.graph.output(Map.of("x", s.a), s.linear);
    }

    /** Our Linear through the graph executor, no copy (what a hot loop uses). */
    @Benchmark
    public INDArray linearLayer(Square s) {
        return s.graph.outputShared(Map.of("x", s.a), s.linear);
    }

    /** The Linear layers of a BERT-base layer on a batch of 32 × 128 tokens. */
    @State(Scope.Thread)
    public static class BertLinear {
        @Param({"768x768", "768x3072", "3072x768"})
        public String shape;
        Graph graph;
        SDVariable y;
        INDArray x;

        @Setup(Level.Trial)
        public void setup() {
            String[] io = shape.split("x");
            long in = Long.parseLong(io[0]);
            long out = Long.parseLong(io[1]);
            graph = new Graph(DataType.FLOAT, 1);
            y = new Linear(in, out, true).apply(graph, "fc", graph.input("x", -1, 128, in));
            x = Nd4j.rand(DataType.FLOAT, 32, 128, in);
        }
    }

    @Benchmark
    public INDArray bertLinear(BertLinear s) {
        return s.graph.outputShared(Map.of("x", s.x), s.y);
    }

    /** BERT-base self-attention (12 heads, 768 wide) on 32 × 128 tokens: projections, scores, softmax, mixing. */
    @State(Scope.Thread)
    public static class BertAttention {
        Graph graph;
        SDVariable y;
        INDArray x;

        @Setup(Level.Trial)
        public void setup() {
            graph = new Graph(DataType.FLOAT, 1);
            y = MultiHeadAttention.self(768, 12, AttentionNames.BERT).apply(graph, "layer",
                    graph.input("x", -1, 128, 768), null, null, false);
            x = Nd4j.rand(DataType.FLOAT, 32, 128, 768);
        }
    }

    @Benchmark
    public INDArray bertAttention(BertAttention s) {
        return s.graph.outputShared(Map.of("x", s.x), s.y);
    }

    /**
     * A whole BERT-base layer (attention + MLP, post-LN, GELU) on 32 × 128 tokens with a padding mask, run by the
     * graph executor and by the fused oneDNN kernels ({@link TransformerStack}) on the same weights.
     */
    @State(Scope.Thread)
    public static class BertLayer {
        @Param({"graph", "fused"})
        public String engine;
        Graph graph;
        SDVariable y;
        TransformerStack stack;
        INDArray x;
        INDArray mask;

        @Setup(Level.Trial)
        public void setup() {
            TransformerBlock block = new TransformerBlock(768, 12, 3072, Activation.GELU, TransformerBlock.Norm.POST,
                    1e-12, TransformerBlock.Names.BERT);
            graph = new Graph(DataType.FLOAT, 1, Graph.Mode.INFER);
            y = block.apply(graph, "layer", graph.input("x", -1, -1, 768), graph.input("mask", -1, -1), false);
            x = Nd4j.rand(DataType.FLOAT, 32, 128, 768);
            mask = Nd4j.ones(DataType.FLOAT, 32, 128);
            for (int b = 0; b < 32; b++) {
                for (int t = 128 - b; t < 128; t++) {
                    mask.putScalar(b, t, 0);
                }
            }
            stack = TransformerStack.of(block, java.util.List.of("layer"), graph.state());
        }

        @TearDown(Level.Trial)
        public void close() {
            stack.close();
        }
    }

    @Benchmark
    public INDArray bertLayer(BertLayer s) {
        return s.engine.equals("fused") ? s.stack.run(s.x, s.mask, false)
                : s.graph.outputShared(Map.of("x", s.x, "mask", s.mask), s.y);
    }

    /** A UNet-sized convolution: 64 → 64 channels, 3 × 3, batch 8 at 32 × 32, in either image layout. */
    @State(Scope.Thread)
    public static class Conv {
        @Param({"NCHW", "NHWC"})
        public String layout;
        Graph graph;
        SDVariable y;
        INDArray x;

        @Setup(Level.Trial)
        public void setup() {
            graph = new Graph(DataType.FLOAT, 1).layout(Graph.Layout.valueOf(layout));
            boolean nchw = layout.equals("NCHW");
            y = Conv2d.same(64, 64, 3).apply(graph, "conv", nchw ? graph.input("x", -1, 64, 32, 32)
                    : graph.input("x", -1, 32, 32, 64));
            x = nchw ? Nd4j.rand(DataType.FLOAT, 8, 64, 32, 32) : Nd4j.rand(DataType.FLOAT, 8, 32, 32, 64);
        }
    }

    @Benchmark
    public INDArray conv2dLayer(Conv s) {
        return s.graph.outputShared(Map.of("x", s.x), s.y);
    }

    /** A small UNet's ResNet block: 64 channels, 32 groups, time embedding 256, batch 8 at 16 × 16. */
    @State(Scope.Thread)
    public static class Resnet {
        @Param({"NCHW", "NHWC"})
        public String layout;
        Graph graph;
        SDVariable y;
        INDArray x;
        INDArray t;

        @Setup(Level.Trial)
        public void setup() {
            graph = new Graph(DataType.FLOAT, 1).layout(Graph.Layout.valueOf(layout));
            boolean nchw = layout.equals("NCHW");
            y = new ResnetBlock(64, 64, 256, 32, 1e-5).apply(graph, "block", nchw ? graph.input("x", -1, 64, 16, 16)
                    : graph.input("x", -1, 16, 16, 64), graph.input("t", -1, 256));
            x = nchw ? Nd4j.rand(DataType.FLOAT, 8, 64, 16, 16) : Nd4j.rand(DataType.FLOAT, 8, 16, 16, 64);
            t = Nd4j.rand(DataType.FLOAT, 8, 256);
        }
    }

    @Benchmark
    public INDArray resnetBlock(Resnet s) {
        return s.graph.outputShared(Map.of("x", s.x, "t", s.t), s.y);
    }

    /** A training step's gradients: two pre-LN transformer layers (256 wide, 4 heads), batch 16 × 32 tokens. */
    @State(Scope.Thread)
    public static class Training {
        Graph graph;
        SDVariable loss;
        INDArray x;
        Graph.Gradients runner;
        String[] params;

        @Setup(Level.Trial)
        public void setup() {
            // plain ops: this compares SameDiff's session with the direct executor, and the session cannot run fused ops
            graph = new Graph(DataType.FLOAT, 1, Graph.Mode.TRAIN).fusedTraining(false);
            SDVariable h = graph.input("x", -1, 32, 256);
            for (int i = 0; i < 2; i++) {
                h = new dev.pictor.nn.layers.TransformerBlock(256, 4, 1024, dev.pictor.nn.layers.Activation.GELU,
                        dev.pictor.nn.layers.TransformerBlock.Norm.PRE, 1e-5,
                        dev.pictor.nn.layers.TransformerBlock.Names.CLIP).apply(graph, "layers." + i, h, null, true);
            }
            loss = graph.sameDiff().math().square(h).mean();
            x = Nd4j.rand(DataType.FLOAT, 16, 32, 256);
            params = graph.paramNames().toArray(String[]::new);
            runner = graph.gradientRunner(loss, graph.paramNames());
        }
    }

    /** SameDiff's own gradient computation (its session). */
    @Benchmark
    public Object trainingGradientsSameDiff(Training s) {
        return s.graph.sameDiff().calculateGradients(Map.of("x", s.x), s.params);
    }

    /** The same gradient graph through the direct executor (what the Trainer uses). */
    @Benchmark
    public Object trainingGradientsExecutor(Training s) {
        return s.runner.compute(Map.of("x", s.x));
    }
}
