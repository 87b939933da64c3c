package dev.pictor.nn.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training data as a pure function of the step: the batch of step {@code s} is always the same, so a run resumed
 * from a checkpoint sees exactly the batches an uninterrupted run would have.
 *
 * <pre>{@code
 * Batches b = Batches.shuffled(examples, 64, 42);                 // epochs of a shuffled dataset
 * Batches mix = Batches.mixed(List.of(shapes, fashion), new double[] {0.75, 0.25}, 64, 42);
 * Map<String, INDArray> first = b.batch(0);                       // {"x": [64, …], "y": [64, …]}
 * }</pre>
 */
@FunctionalInterface
public interface Batches {

    /** The inputs of step {@code step}, by placeholder name. */
    Map<String, INDArray> batch(long step);

    /** One example of a dataset: named arrays without the batch dimension. */
    @FunctionalInterface
    interface Examples {
        Map<String, INDArray> example(long index);

        /** Number of examples; {@link Long#MAX_VALUE} for a generated, endless dataset. */
        default long size() {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Batches of {@code batchSize} examples; a finite dataset is walked in a fresh seeded shuffle every epoch, an
     * endless one in order.
     */
    static Batches shuffled(Examples examples, int batchSize, long seed) {
        long n = examples.size();
        return step -> {
            List<Map<String, INDArray>> rows = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                long global = step * batchSize + i;
                rows.add(examples.example(n == Long.MAX_VALUE ? global : Shuffle.index(global, n, seed)));
            }
            return stack(rows);
        };
    }

    /**
     * Batches whose rows come from several datasets: each row's source is drawn with the given weights from a
     * stream seeded by (seed, step, row), and each source is walked as {@link #shuffled} walks one.
     */
    static Batches mixed(List<Examples> sources, double[] weights, int batchSize, long seed) {
        if (sources.size() != weights.length || sources.isEmpty()) {
            throw new IllegalArgumentException("one weight per source, and at least one source");
        }
        double total = java.util.Arrays.stream(weights).sum();
        return step -> {
            List<Map<String, INDArray>> rows = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                SplittableRandom r = new SplittableRandom(Shuffle.mix(seed ^ Shuffle.mix(step * batchSize + i)));
                double pick = r.nextDouble() * total;
                int source = 0;
                while (source < weights.length - 1 && pick >= weights[source]) {
                    pick -= weights[source];
                    source++;
                }
                Examples ex = sources.get(source);
                // The row within the source is a function of (step, row) too: no state carried across steps.
                long index = r.nextLong() & Long.MAX_VALUE;
                rows.add(ex.example(ex.size() == Long.MAX_VALUE ? index : index % ex.size()));
            }
            return stack(rows);
        };
    }

    /** Stacks examples into a batch along a new first dimension. */
    static Map<String, INDArray> stack(List<Map<String, INDArray>> rows) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String key : rows.get(0).keySet()) {
            INDArray[] parts = rows.stream().map(r -> r.get(key)).toArray(INDArray[]::new);
            out.put(key, Nd4j.stack(0, parts));
        }
        return out;
    }

    /** Seeded permutations without materialising them. */
    final class Shuffle {
        private Shuffle() {
        }

        /** The example at position {@code global} of the endless sequence of shuffled epochs of {@code n}. */
        static long index(long global, long n, long seed) {
            long epoch = global / n;
            long position = global % n;
            long[] perm = permutation(n, mix(seed + epoch));
            return perm[(int) position];
        }

        private record Key(long n, long seed) {
        }

        /** The last few permutations: a step needs its epoch's, and epochs change rarely. */
        private static final java.util.Map<Key, long[]> CACHE = java.util.Collections.synchronizedMap(
                new java.util.LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Key, long[]> eldest) {
                        return size() > 4;
                    }
                });

        static long[] permutation(long n, long seed) {
            return CACHE.computeIfAbsent(new Key(n, seed), k -> {
                long[] p = new long[Math.toIntExact(n)];
                for (int i = 0; i < p.length; i++) {
                    p[i] = i;
                }
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = p.length - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    long t = p[i];
                    p[i] = p[j];
                    p[j] = t;
                }
                return p;
            });
        }

        static long mix(long z) {
            return dev.pictor.api.run.Seeds.mix(z);
        }
    }
}
