package dev.pictor.ldm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser.Prediction;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.BpeTrainer;
import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipModel;
import dev.pictor.clip.ClipTextEncoder;
import dev.pictor.clip.train.ClipTraining;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.ldm.AutoencoderConfig;
import dev.pictor.ldm.DenoiserConfig;
import dev.pictor.ldm.KlAutoencoder;
import dev.pictor.ldm.KlAutoencoderQuantizer;
import dev.pictor.ldm.UNetConfig;
import dev.pictor.ldm.UNetDenoiser;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The latent UNet's training: loss goes down on a fixed task, the saved folder loads as the pipeline's denoiser. */
class LatentDiffusionTrainingTest {
    @Test
    void trainsSavesAndLoadsAsTheDenoiser(@TempDir Path dir) {
        KlAutoencoderQuantizer vae = tinyAutoencoder();
        PairSource pairs = PairSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT));
        ClipBpeTokenizer tokenizer = tokenizer(pairs);
        ClipTextEncoder text = tinyTextTower(tokenizer);

        UNetConfig unet = new UNetConfig(4, 4, 32, 1, List.of(2), List.of(1, 2), -1, 16, 1, 32);
        var settings = new LatentDiffusionTraining.Settings(4, 4, 1e-3, 1, 0.5, 0.9, 7, dir.resolve("u.ckpt"), 2);
        var t = new LatentDiffusionTraining(unet, vae, tokenizer, text, pairs,
                LatentDiffusionTraining.ImageAdapter.identity(), NoiseSchedule.scaledLinear(0.00085, 0.012, 1000),
                settings);
        List<Double> losses = new ArrayList<>();
        var result = t.run((step, total, loss, lr, norm) -> losses.add(loss), Cancellation.never());
        assertThat(result.stepsDone()).isEqualTo(4);
        assertThat(losses).allMatch(Double::isFinite);
        // the latents are the autoencoder's (scaled) and the contexts the text tower's
        Map<String, INDArray> batch = t.data(0);
        assertThat(batch.get(DiffusionObjective.LATENTS).shape()).containsExactly(4, 4, 16, 16);
        assertThat(batch.get(DiffusionObjective.CONTEXT).shape()).containsExactly(4, 16, 32);

        t.save(dir.resolve("unet"), Map.of("steps", "4"));
        DenoiserConfig c = DenoiserConfig.read(dir.resolve("unet/config.json"));
        assertThat(c.unet()).isEqualTo(unet);
        assertThat(c.latentSize()).isEqualTo(16);
        try (UNetDenoiser d = new UNetDenoiser(c.unet(), Safetensors.read(dir.resolve("unet/model.safetensors")),
                c.schedule(), c.prediction(), c.latentSize())) {
            INDArray eps = d.predict(Nd4j.randn(DataType.FLOAT, 2, 4, 16, 16), Nd4j.createFromArray(10f, 900f),
                    Condition.of(batch.get(DiffusionObjective.CONTEXT).get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup()));
            assertThat(eps.shape()).containsExactly(2, 4, 16, 16);
        }
        // the decoder brings latents back to images of the autoencoder's size
        assertThat(vae.decode(batch.get(DiffusionObjective.LATENTS)).shape()).containsExactly(4, 3, 32, 32);
    }

    /**
     * A v-predicting UNet on the cosine schedule, with scale-shift norms and the text's pooled vector, says so in its
     * config, loads as the pipeline's denoiser and needs the vector there.
     */
    @Test
    void savesTheVPredictionScheduleAndVectorConditionItTrainedWith(@TempDir Path dir) {
        PairSource pairs = PairSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT));
        ClipBpeTokenizer tokenizer = tokenizer(pairs);
        ClipTextEncoder text = tinyTextTower(tokenizer);
        int pooled = (int) text.dimension(Encoder.Output.POOLED);
        UNetConfig unet = new UNetConfig(4, 4, 32, 1, List.of(2), List.of(1, 2), -1, 16, 1, 32, true, pooled);
        var t = new LatentDiffusionTraining(unet, tinyAutoencoder(), tokenizer, text, pairs,
                LatentDiffusionTraining.ImageAdapter.identity(), NoiseSchedule.cosine(1000), Prediction.V,
                new LatentDiffusionTraining.Settings(2, 2, 1e-3, 1, 0.5, 0.9, 7, null, 0, 2));
        assertThat(t.run((step, total, loss, lr, norm) -> { }, Cancellation.never()).lastLoss()).isFinite();
        Map<String, INDArray> batch = t.data(0);
        assertThat(batch.get(DiffusionObjective.VECTOR).shape()).containsExactly(2, pooled);
        t.save(dir, Map.of());
        DenoiserConfig c = DenoiserConfig.read(dir.resolve("config.json"));
        assertThat(c.prediction()).isEqualTo(Prediction.V);
        assertThat(c.schedule()).isEqualTo(NoiseSchedule.cosine(1000));
        assertThat(c.unet()).isEqualTo(unet);
        try (UNetDenoiser d = new UNetDenoiser(c, Safetensors.read(dir.resolve("model.safetensors")))) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 2, 4, 16, 16);
            INDArray times = Nd4j.createFromArray(10f, 900f);
            Condition context = Condition.of(batch.get(DiffusionObjective.CONTEXT));
            assertThat(d.predict(x, times, context.withVector(batch.get(DiffusionObjective.VECTOR))).shape())
                    .containsExactly(2, 4, 16, 16);
            assertThatThrownBy(() -> d.predict(x, times, context)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("pooled vector");
        }
    }

    @Test
    void refusesSettingsItCannotRun() {
        assertThatThrownBy(() -> new LatentDiffusionTraining.Settings(10, 4, 1e-3, 10, 0.1, 0.999, 1, null, 0))
                .isInstanceOf(BadInputException.class).hasMessageContaining("warm-up shorter");
    }

    /** An untrained autoencoder of the tiny config: 32 × 32 × 3 ↔ 16 × 16 × 4. */
    private static KlAutoencoderQuantizer tinyAutoencoder() {
        AutoencoderConfig aeConfig = AutoencoderTrainingTest.TINY;
        Graph ae = new Graph(DataType.FLOAT, 2, Graph.Mode.INFER);
        KlAutoencoder model = new KlAutoencoder(aeConfig);
        model.encode(ae, ae.input("x", -1, 3, 32, 32));
        model.decode(ae, ae.input("z", -1, 4, 16, 16));
        return new KlAutoencoderQuantizer(aeConfig, ae.state());
    }

    private static ClipBpeTokenizer tokenizer(PairSource pairs) {
        return ClipBpeTokenizer.fromMerges(BpeTrainer.train(pairs.corpus(500), 600), 16);
    }

    /** An untrained 32-wide text tower. */
    private static ClipTextEncoder tinyTextTower(ClipBpeTokenizer tokenizer) {
        ClipConfig clip = ClipTraining.smallConfig(tokenizer.vocabularySize(), 16, 32, 8, 32, 1, 2, 32, 1, 32);
        return new ClipTextEncoder(clip, new ClipModel(clip, Graph.Mode.INFER, 3).graph().state());
    }
}
