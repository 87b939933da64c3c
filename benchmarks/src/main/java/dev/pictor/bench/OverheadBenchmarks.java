package dev.pictor.bench;

import dev.pictor.nn.Graph;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** What one tiny op costs: an eager ND4J op, and one op of a SameDiff graph (a chain of 100 adds). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class OverheadBenchmarks {
    static final int CHAIN = 100;
    INDArray small;
    INDArray out;
    Graph graph;
    SDVariable last;

    @Setup(Level.Trial)
    public void setup() {
        small = Nd4j.rand(DataType.FLOAT, 8);
        out = Nd4j.create(DataType.FLOAT, 8);
        graph = new Graph(DataType.FLOAT, 1);
        SDVariable v = graph.input("x", 8);
        for (int i = 0; i < CHAIN; i++) {
            v = v.add(1.0);
        }
        last = v;
    }

    /** An eager element-wise op into a preallocated result (allocation excluded). */
    @Benchmark
    public INDArray eagerOp() {
        return small.addi(1.0);
    }

    /** An eager op that allocates its result, as most ND4J calls do. */
    @Benchmark
    public INDArray eagerOpAllocating() {
        return small.add(1.0);
    }

    /** A 100-op SameDiff graph; divide by 100 for the cost of one graph op. */
    @Benchmark
    public INDArray graphChainOf100() {
        return graph.outputShared(Map.of("x", small), last);
    }
}
