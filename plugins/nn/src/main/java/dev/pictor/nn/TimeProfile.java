package dev.pictor.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sums wall time and calls per name (an op type, a kernel): what executors report when asked where a forward
 * pass spends its time.
 *
 * <pre>{@code
 * TimeProfile p = new TimeProfile();
 * long t = System.nanoTime(); run(); p.add("matmul", System.nanoTime() - t);
 * p.snapshot().get("matmul");   // {total ns, calls}
 * }</pre>
 */
public final class TimeProfile {
    private final Map<String, long[]> entries = new LinkedHashMap<>();

    /** Adds one call of {@code nanos} to {@code name}. */
    public void add(String name, long nanos) {
        long[] e = entries.computeIfAbsent(name, k -> new long[2]);
        e[0] += nanos;
        e[1]++;
    }

    /** Per name: {total nanoseconds, calls}, most expensive first; copies. */
    public Map<String, long[]> snapshot() {
        Map<String, long[]> sorted = new LinkedHashMap<>();
        entries.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> sorted.put(e.getKey(), e.getValue().clone()));
        return sorted;
    }
}
