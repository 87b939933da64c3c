package dev.pictor.ldm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StableDiffusionCheckpointTest {
    /** SD v1's state-dict layout: upstream's UNet and first-stage keys under their prefixes, with the extras. */
    static Map<String, long[]> sdV1Layout(boolean withEma) {
        Map<String, long[]> all = new LinkedHashMap<>();
        Fixtures.shapes(StableDiffusionCheckpointTest.class, "keys_sd_v1_unet")
                .forEach((k, v) -> all.put(StableDiffusionCheckpoint.UNET + k, v));
        Fixtures.shapes(StableDiffusionCheckpointTest.class, "keys_sd_v1_autoencoder")
                .forEach((k, v) -> all.put(StableDiffusionCheckpoint.AUTOENCODER + k, v));
        ClipModel.textShapes(ClipConfig.VIT_L_14, false)
                .forEach((k, v) -> all.put(StableDiffusionCheckpoint.TEXT_ENCODER + k, v));
        all.put(StableDiffusionCheckpoint.TEXT_ENCODER + "text_model.embeddings.position_ids", new long[] {1, 77});
        all.put("betas", new long[] {1000});
        all.put("alphas_cumprod", new long[] {1000});
        if (withEma) {
            Fixtures.shapes(StableDiffusionCheckpointTest.class, "keys_sd_v1_unet")
                    .forEach((k, v) -> all.put("model_ema." + k.replace(".", ""), v));
            all.put("model_ema.decay", new long[0]);
            all.put("model_ema.num_updates", new long[0]);
        }
        return all;
    }

    @Test
    void aStableDiffusionV1LayoutSplitsOntoTheUNetAndAutoencoderKeyForKey() {
        var parts = StableDiffusionCheckpoint.split(sdV1Layout(true), false, "sd.safetensors");
        assertThat(parts.unet()).hasSize(686);
        assertThat(parts.autoencoder()).hasSize(248);
        assertThat(parts.textEncoder()).hasSize(196).containsKey("text_model.final_layer_norm.weight");
        assertThat(parts.ignored()).contains("betas", "alphas_cumprod", "model_ema.decay",
                "cond_stage_model.transformer.text_model.embeddings.position_ids");
        StableDiffusionCheckpoint.check(parts, UNetConfig.SD_V1, AutoencoderConfig.SD_V1, ClipConfig.VIT_L_14);

        var ema = StableDiffusionCheckpoint.split(sdV1Layout(true), true, "sd.safetensors");
        assertThat(ema.unet().keySet()).containsExactlyElementsOf(parts.unet().keySet());
        StableDiffusionCheckpoint.check(ema, UNetConfig.SD_V1, AutoencoderConfig.SD_V1, ClipConfig.VIT_L_14);
        // OpenAI's ViT-B/32 text tower (512 wide) is not SD 1.x's: the first misshapen key is named
        assertThatThrownBy(() -> StableDiffusionCheckpoint.check(parts, UNetConfig.SD_V1, AutoencoderConfig.SD_V1,
                ClipConfig.VIT_B_32)).isInstanceOf(BadInputException.class).hasMessageContaining("text_model.");
    }

    @Test
    void whatDoesNotFitIsNamed() {
        Map<String, long[]> stray = sdV1Layout(false);
        stray.put("cond_stage_model.tokenizer.vocab", new long[] {1});
        assertThatThrownBy(() -> StableDiffusionCheckpoint.split(stray, false, "x.safetensors"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("cond_stage_model.tokenizer.vocab");
        assertThatThrownBy(() -> StableDiffusionCheckpoint.split(sdV1Layout(false), true, "x.safetensors"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("no EMA weights");
        Map<String, long[]> missing = sdV1Layout(false);
        missing.remove(StableDiffusionCheckpoint.UNET + "middle_block.1.proj_out.bias");
        var parts = StableDiffusionCheckpoint.split(missing, false, "x.safetensors");
        assertThatThrownBy(() -> StableDiffusionCheckpoint.check(parts, UNetConfig.SD_V1, AutoencoderConfig.SD_V1))
                .hasMessageContaining("middle_block.1.proj_out.bias");
        // SD 2.x's UNet (context 1024, head width 64) does not fit SD 1.x's config: the first misshapen key is named
        assertThatThrownBy(() -> StableDiffusionCheckpoint.check(StableDiffusionCheckpoint.split(sdV1Layout(false),
                false, "x"), new UNetConfig(4, 4, 320, 2, java.util.List.of(4, 2, 1), java.util.List.of(1, 2, 4, 4),
                -1, 64, 1, 1024), AutoencoderConfig.SD_V1)).hasMessageContaining("attn2.to_k.weight");
    }

    @Test
    void readsASafetensorsFileIntoLoadablePartsAndRefusesPickles(@TempDir Path dir) throws Exception {
        Map<String, INDArray> unet = Fixtures.under(Fixtures.tensors(getClass(), "ldm_unet"), "param.");
        Map<String, INDArray> ae = Fixtures.under(Fixtures.tensors(getClass(), "ldm_autoencoder"), "param.");
        Map<String, INDArray> all = new LinkedHashMap<>();
        unet.forEach((k, v) -> all.put(StableDiffusionCheckpoint.UNET + k, v));
        ae.forEach((k, v) -> all.put(StableDiffusionCheckpoint.AUTOENCODER + k, v));
        all.put("betas", Nd4j.linspace(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1e-4, 2e-5, 1000));
        Path file = dir.resolve("tiny.safetensors");
        Safetensors.write(file, all, Map.of());
        var parts = StableDiffusionCheckpoint.read(file, false);
        StableDiffusionCheckpoint.check(StableDiffusionCheckpoint.shapes(parts), UNetTest.SMALL,
                KlAutoencoderTest.SMALL);
        assertThat(parts.unet().get("out.2.weight")).isEqualTo(unet.get("out.2.weight"));
        assertThat(parts.autoencoder().get("quant_conv.bias")).isEqualTo(ae.get("quant_conv.bias"));
        assertThat(parts.ignored()).containsExactly("betas");

        Path pickle = Files.writeString(dir.resolve("model.ckpt"), "not read");
        assertThatThrownBy(() -> StableDiffusionCheckpoint.read(pickle, false)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("safetensors");
    }
}
