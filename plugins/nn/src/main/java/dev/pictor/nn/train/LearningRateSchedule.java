package dev.pictor.nn.train;

/**
 * The learning rate at each step (0-based).
 *
 * <pre>{@code
 * LearningRateSchedule lr = LearningRateSchedule.warmupCosine(3e-4, 500, 20_000, 3e-5);
 * lr.at(0);       // 3e-4 / 500: linear warm-up from the first step
 * lr.at(499);     // 3e-4
 * lr.at(19_999);  // close to 3e-5
 * }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {

    double at(long step);

    static LearningRateSchedule constant(double lr) {
        return step -> lr;
    }

    /**
     * Linear warm-up over {@code warmup} steps to {@code peak} (step s gives peak·(s+1)/warmup), then a half
     * cosine from {@code peak} down to {@code min} at step {@code total}; {@code min} after that.
     */
    static LearningRateSchedule warmupCosine(double peak, long warmup, long total, double min) {
        if (warmup < 0 || total <= warmup || peak < min) {
            throw new IllegalArgumentException("need 0 <= warmup < total and peak >= min; got warmup " + warmup
                    + ", total " + total + ", peak " + peak + ", min " + min);
        }
        return step -> {
            if (step < warmup) {
                return peak * (step + 1) / warmup;
            }
            if (step >= total) {
                return min;
            }
            double progress = (double) (step - warmup) / (total - warmup);
            return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }
}
