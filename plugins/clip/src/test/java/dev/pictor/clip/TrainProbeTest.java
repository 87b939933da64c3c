package dev.pictor.clip;

import dev.pictor.clip.eval.ShapesZeroShot;
import dev.pictor.clip.train.ClipTraining;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.shapes.ShapesWorld;
import org.junit.jupiter.api.Test;

class TrainProbeTest {
    @Test
    void probe() {
        PairSource src = PairSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT, 3.0));
        ClipBpeTokenizer tok = ClipBpeTokenizer.fromMerges(BpeTrainer.train(src.corpus(5000), 1024), 32);
        int patch = Integer.getInteger("probe.patch", 8);
        int batch = Integer.getInteger("probe.batch", 128);
        int steps = Integer.getInteger("probe.steps", 300);
        int width = Integer.getInteger("probe.width", 128);
        int layers = Integer.getInteger("probe.layers", 4);
        ClipConfig c = ClipTraining.smallConfig(tok.vocabularySize(), 32, 32, patch, width, layers, 4, width, 3, 128);
        var tr = new ClipTraining(c, tok, src, new ClipTraining.Settings(steps, batch,
                Double.parseDouble(System.getProperty("probe.lr", "1e-3")), steps / 10, 0, 1, null, 0));
        long t0 = System.nanoTime();
        tr.run((step, total, loss, lr, norm) -> {
            if ((step + 1) % 20 == 0) {
                System.out.printf("step %d loss %.4f %.0f s%n", step + 1, loss, (System.nanoTime() - t0) / 1e9);
            }
        }, dev.pictor.api.run.Cancellation.never());
        try (var text = new ClipTextEncoder(c, tr.model().graph().state());
                var image = new ClipImageEncoder(c, tr.model().graph().state())) {
            System.out.println("zero-shot " + ShapesZeroShot.evaluate(tok, text, image, 20, 99));
        }
    }
}
