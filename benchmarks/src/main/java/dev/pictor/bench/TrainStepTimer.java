package dev.pictor.bench;

import dev.pictor.nn.Graph;
import dev.pictor.nn.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Times the project's Trainer on one batch made beforehand and fed every step (the step, not data generation, as the
 * PyTorch scripts time theirs): the first two steps are warm-up; prints the median, min and max in the line the
 * side-by-side scripts compare.
 */
final class TrainStepTimer {
    private TrainStepTimer() {
    }

    static void report(Graph graph, SDVariable loss, Map<String, INDArray> batch, Trainer.Config run, int batchSize) {
        List<Double> times = new ArrayList<>();
        long[] last = {System.nanoTime()};
        new Trainer(graph, loss, step -> batch, run).listener((step, total, l, lr, norm) -> {
            long now = System.nanoTime();
            if (step >= 2) {
                times.add((now - last[0]) / 1e6);
            }
            last[0] = now;
        }).run();
        times.sort(Double::compare);
        long params = graph.params().values().stream().mapToLong(v -> v.getArr().length()).sum();
        System.out.printf("Pictor, batch %d, %d parameters: median step %.1f ms (min %.1f, max %.1f)%n", batchSize,
                params, times.get(times.size() / 2), times.get(0), times.get(times.size() - 1));
    }
}
