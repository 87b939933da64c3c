package dev.pictor.api.device;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fp32 throughput this machine reaches, measured: a large single-precision matrix product through ND4J's
 * {@code Mmul} op, which runs oneDNN's best GEMM for the CPU (88–90% of the FMA units' theoretical peak on the
 * machines measured so far). Benchmarks state their shares of peak against this figure, measured in the same run,
 * rather than a constant; {@code pictor doctor} prints it.
 *
 * <pre>{@code
 * FpPeak.Result peak = FpPeak.measure(2048, 5);
 * System.out.printf("%.0f GFLOP/s%n", peak.gflops());
 * }</pre>
 *
 * @see CpuNatives the native build whose kernels it measures
 */
public final class FpPeak {
    private FpPeak() {
    }

    /**
     * One measurement.
     *
     * @param gflops  the best of the repeats, in 10⁹ floating-point operations per second (2·n³ per product)
     * @param n       the matrices' side
     * @param repeats timed products (after at least a quarter of a second of untimed ones)
     * @param threads ND4J's compute threads during the measurement
     */
    public record Result(double gflops, int n, int repeats, int threads) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.0f GFLOP/s (fp32 %d³ matrix product, best of %d, %d"
                    + " threads)", gflops, n, repeats, threads);
        }
    }

    /** Measures with {@code n × n} matrices, best of {@code repeats} products. */
    public static Result measure(int n, int repeats) {
        if (n < 64 || repeats < 1) {
            throw new IllegalArgumentException("n must be >= 64 and repeats >= 1");
        }
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        // The Mmul op into a preallocated C-order result reaches oneDNN; INDArray.mmul would go through OpenBLAS.
        // Warm up for a quarter of a second at least: threads spin up and a shared host's clocks settle.
        long warm = System.nanoTime();
        do {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        } while (System.nanoTime() - warm < 250_000_000L);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, System.nanoTime() - t0);
        }
        double flops = 2.0 * n * (double) n * n;
        return new Result(flops / best, n, repeats, Nd4j.getEnvironment().maxThreads());
    }
}
