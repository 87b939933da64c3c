package dev.pictor.bench;

import java.util.Arrays;

/**
 * The protocol of the engine-against-engine benchmarks (MiniLmVsOrt, ClipVsOrt): rounds alternate between the
 * engines so that machine noise hits both alike; each round runs a block of calls after a pause, and the first call
 * of a block is dropped — both engines keep their threads spinning for a while after a call, which would otherwise
 * tax whichever runs next. Medians, not means: these machines are shared.
 */
final class SideBySide {
    /**
     * Pause before each block, ms (-Dbench.pause, default 50): longer than any thread pool's spin-wait, so that one
     * engine's spinning threads never run during the other's block (1000 with GOMP_SPINCOUNT raised).
     */
    static final long PAUSE = Long.getLong("bench.pause", 50);

    private SideBySide() {
    }

    /** A call timed by {@link #block}. */
    interface Call {
        void run() throws Exception;
    }

    /** After the pause, one untimed call, then {@code count} timed ones (ms) into {@code into[from…]}. */
    static void block(Call call, double[] into, int from, int count) throws Exception {
        Thread.sleep(PAUSE);
        call.run();
        for (int j = 0; j < count; j++) {
            long t = System.nanoTime();
            call.run();
            into[from + j] = (System.nanoTime() - t) / 1e6;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
