package dev.pictor.bench;

import dev.pictor.nn.Graph;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.TransformerBlock;
import dev.pictor.nn.inference.TransformerStack;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Autoregressive decoding on the fused transformer stack, with and without the key/value cache: the time of one new
 * token at position 256 (averaged over positions 241–256 of a decode from scratch), side by side in one run.
 * A causal pre-LN stack of 8 layers, width 256, 8 heads, MLP 1024 (the size class of the zoo's DALL·E).
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.KvCacheBench [rounds]
 * </pre>
 */
public final class KvCacheBench {
    static final int POSITIONS = 256;
    static final int TAIL = 16;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        TransformerBlock block = new TransformerBlock(256, 8, 1024, Activation.GELU, TransformerBlock.Norm.PRE, 1e-5,
                TransformerBlock.Names.CLIP);
        Graph g = new Graph(DataType.FLOAT, 3, Graph.Mode.INFER);
        SDVariable h = g.input("x", -1, -1, 256);
        for (String p : TransformerStack.prefixes("layers", 8)) {
            h = block.apply(g, p, h, null, true);
        }
        Map<String, INDArray> params = new HashMap<>();
        g.state().forEach((k, v) -> params.put(k, Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.05)));
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        System.out.println("| batch | recompute the prefix (ms/token) | key/value cache (ms/token) | speed-up |");
        System.out.println("|---|---|---|---|");
        try (TransformerStack stack = TransformerStack.of(block, TransformerStack.prefixes("layers", 8), params)) {
            for (int batch : new int[] {1, 4}) {
                INDArray x = Nd4j.randn(DataType.FLOAT, batch, POSITIONS, 256);
                double recompute = Double.MAX_VALUE;
                double cached = Double.MAX_VALUE;
                for (int r = 0; r < rounds; r++) {
                    cached = Math.min(cached, cachedTail(stack, x, batch));
                    recompute = Math.min(recompute, recomputeTail(stack, x));
                }
                System.out.printf(Locale.ROOT, "| %d | %.2f | %.3f | %.1f× |%n", batch, recompute, cached,
                        recompute / cached);
            }
        }
    }

    /** ms per token over the last TAIL positions of a full cached decode. */
    static double cachedTail(TransformerStack stack, INDArray x, int batch) {
        try (TransformerStack.Session s = stack.session(batch, POSITIONS)) {
            long start = 0;
            for (int t = 0; t < POSITIONS; t++) {
                if (t == POSITIONS - TAIL) {
                    start = System.nanoTime();
                }
                s.feed(x.get(NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1), NDArrayIndex.all()));
            }
            return (System.nanoTime() - start) / 1e6 / TAIL;
        }
    }

    /** ms per token when each new token reruns the whole causal prefix. */
    static double recomputeTail(TransformerStack stack, INDArray x) {
        long total = 0;
        for (int t = POSITIONS - TAIL; t < POSITIONS; t++) {
            INDArray prefix = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t + 1), NDArrayIndex.all()).dup();
            stack.run(prefix, null, true);   // warm the shape's kernels first
            long start = System.nanoTime();
            stack.run(prefix, null, true);
            total += System.nanoTime() - start;
        }
        return total / 1e6 / TAIL;
    }
}
