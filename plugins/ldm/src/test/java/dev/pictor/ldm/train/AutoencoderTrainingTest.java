package dev.pictor.ldm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipModel;
import dev.pictor.clip.train.ClipTraining;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.ldm.AutoencoderConfig;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The autoencoder's training loop: every loss term live, the adversarial one after its start, exact resumption. */
class AutoencoderTrainingTest {
    /** A small first stage for 32-pixel RGB images, f = 2. */
    static final AutoencoderConfig TINY = new AutoencoderConfig(32, List.of(1, 2), 1, List.of(), 32, 3, 3, 4, 4, 1.0);

    private static AutoencoderTraining training(long steps) {
        ClipConfig clip = ClipTraining.smallConfig(64, 8, 32, 8, 32, 1, 2, 32, 1, 32);
        Map<String, INDArray> clipWeights = new ClipModel(clip, Graph.Mode.INFER, 3).graph().state();
        var settings = new AutoencoderTraining.Settings(steps, 4, 1e-3, 1.0, 1e-6, 0.5, 2, 8, 2, 5);
        return new AutoencoderTraining(TINY, ImageSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT)),
                new PerceptualLoss(clip, clipWeights), settings);
    }

    @Test
    void everyTermTrainsAndAStoppedRunResumesExactly(@TempDir Path dir) {
        List<AutoencoderTraining.Metrics> seen = new ArrayList<>();
        AutoencoderTraining straight = training(4);
        straight.run(null, 0, seen::add, Cancellation.never());
        assertThat(seen).hasSize(4);
        AutoencoderTraining.Metrics first = seen.get(0);
        assertThat(first.l1()).isPositive();
        assertThat(first.perceptual()).isPositive();
        assertThat(first.kl()).isPositive();
        assertThat(first.generator()).isNaN();                  // before the discriminator's start
        AutoencoderTraining.Metrics last = seen.get(3);
        assertThat(last.generator()).isFinite();
        assertThat(last.discriminator()).isPositive();
        assertThat(last.adaptiveWeight()).isPositive();
        // the frozen perceptual tower is not trained, nor written as first-stage weights
        assertThat(straight.autoencoderState().keySet()).allMatch(k -> k.startsWith("encoder.")
                || k.startsWith("decoder.") || k.contains("quant_conv"));
        assertThat(straight.graph().paramNames()).noneMatch(k -> k.startsWith("vision_model."));

        Path ckpt = dir.resolve("ae.ckpt");
        Cancellation stop = Cancellation.never();
        // three steps, stopped by a shorter run's end, then a fresh object resumes from the checkpoint
        AutoencoderTraining part = training(3);
        part.run(ckpt, 1, null, stop);
        AutoencoderTraining resumed = training(4);
        assertThat(resumed.resumeIfPresent(ckpt)).isEqualTo(3);
        resumed.run(ckpt, 1, null, stop);
        Map<String, INDArray> x = straight.autoencoderState();
        Map<String, INDArray> y = resumed.autoencoderState();
        x.forEach((k, v) -> assertThat(y.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void refusesImagesTheAutoencoderDoesNotFit() {
        AutoencoderConfig gray = new AutoencoderConfig(32, List.of(1, 2), 1, List.of(), 32, 1, 1, 4, 4, 1.0);
        assertThatThrownBy(() -> new AutoencoderTraining(gray, ImageSource.shapes(new ShapesWorld(1,
                ShapesWorld.HELD_OUT)), null, AutoencoderTraining.Settings.defaults(10)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("does not fit images of 3 channels");
    }
}
