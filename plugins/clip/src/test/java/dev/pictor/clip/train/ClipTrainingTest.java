package dev.pictor.clip.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.api.run.Cancellation;
import dev.pictor.api.spi.Encoder;
import dev.pictor.clip.BpeTrainer;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipFolder;
import dev.pictor.clip.ClipImageEncoder;
import dev.pictor.clip.ClipTextEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClipTrainingTest {
    @Test
    void learnsTheTinySourceAndTravelsAsAFolder(@TempDir Path dir) {
        PairSource source = ContrastiveBatchesTest.tiny();
        ClipBpeTokenizer tokenizer = ClipBpeTokenizer.fromMerges(BpeTrainer.train(source.corpus(3), 600), 8);
        ClipConfig config = ClipTraining.smallConfig(tokenizer.vocabularySize(), 8, 4, 2, 16, 1, 2, 16, 1, 8);
        ClipTraining training = new ClipTraining(config, tokenizer, source,
                new ClipTraining.Settings(60, 6, 1e-2, 5, 0, 7, null, 0));
        double before = training.evaluate(1000, 3);
        List<Double> losses = new ArrayList<>();
        training.run((step, total, loss, lr, norm) -> losses.add(loss), Cancellation.never());
        assertThat(losses).hasSize(60);
        double after = training.evaluate(1000, 3);
        // the floor is ln 2 (each meaning twice a batch); it starts near ln 6
        assertThat(after).isLessThan(before - 0.5);
        assertThat(training.model().graph().state().get("logit_scale").getDouble(0))
                .isLessThanOrEqualTo(ClipTraining.MAX_LOG_SCALE + 1e-6);

        training.save(dir, Map.of("steps", "60"));
        ClipFolder folder = ClipFolder.at(dir);
        assertThat(folder.config()).isEqualTo(config);
        assertThat(folder.tokenizer().merges()).isEqualTo(tokenizer.merges());
        try (ClipTextEncoder text = folder.textEncoder(); ClipImageEncoder image = folder.imageEncoder()) {
            INDArray t = text.encode(tokenizer.encodeBatch(List.of("a thing 0", "the thing 1")),
                    Set.of(Encoder.Output.PROJECTED)).get(Encoder.Output.PROJECTED);
            assertThat(t.shape()).containsExactly(2, 8);
            INDArray pixels = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 4, 4);
            assertThat(image.encode(pixels, Set.of(Encoder.Output.PROJECTED)).get(Encoder.Output.PROJECTED).shape())
                    .containsExactly(1, 8);
        }
    }
}
