package dev.pictor.clip;

import static dev.pictor.clip.ClipModelParityTest.assertClose32;
import static dev.pictor.clip.ClipModelParityTest.fixture;
import static dev.pictor.clip.ClipModelParityTest.under;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoder.Output;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The text encoder on a text tower alone, as Stable Diffusion ships ViT-L/14's ({@code text_model.*}, no projection,
 * no image tower): the same token states as the whole model's, and no projected output.
 */
class ClipTextEncoderTest {
    @Test
    void aTextOnlyCheckpointGivesTheSameTokenStatesAndNoProjection() {
        Map<String, INDArray> f = fixture("clip_vit");
        Map<String, INDArray> all = ClipCheckpoint.toCanonical(under(f, "param."));
        Map<String, INDArray> textOnly = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("text_model.")) {
                textOnly.put(k, v);
            }
        });
        assertThat(textOnly).hasSizeLessThan(all.size());
        INDArray ids = f.get("input.text");
        List<Encoding> rows = new ArrayList<>();
        for (long[] row : ids.toLongMatrix()) {
            int[] r = Arrays.stream(row).mapToInt(v -> (int) v).toArray();
            rows.add(new Encoding(r, Collections.nCopies(r.length, "?"), new int[r.length], false));
        }
        TokenBatch batch = TokenBatch.pad(rows, 0, 0, ClipModelParityTest.VIT.text().vocabSize());
        ClipTextEncoder encoder = new ClipTextEncoder(ClipModelParityTest.VIT, textOnly);
        try (encoder) {
            assertThat(encoder.outputs()).containsExactlyInAnyOrder(Output.TOKENS, Output.MASK, Output.POOLED);
            assertThat(encoder.logitScale()).isNaN();
            assertClose32(encoder.encode(batch, Set.of(Output.TOKENS)).get(Output.TOKENS), f.get("output.text_tokens"),
                    "token states of the text tower alone");
            assertThatThrownBy(() -> encoder.encode(batch, Set.of(Output.PROJECTED)))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("not projected");
        }
    }

    @Test
    void stableDiffusionsTextEncoderIsViTL14sTextTowerInHuggingFaceNames() throws Exception {
        // the names of a real Hugging Face CLIPModel's text tower (12 layers, as ViT-L/14's): SD 1.x's
        // cond_stage_model.transformer.* keys are these, 768 wide
        Map<String, long[]> hf = ClipCheckpointTest.listing("keys_hf_vit_b8_448");
        List<String> names = hf.keySet().stream().filter(k -> k.startsWith("text_model.")
                && !k.endsWith("position_ids")).toList();
        Map<String, long[]> tower = ClipModel.textShapes(ClipConfig.VIT_L_14, false);
        assertThat(tower.keySet()).containsExactlyInAnyOrderElementsOf(names).hasSize(196);
        assertThat(tower.get("text_model.embeddings.token_embedding.weight")).containsExactly(49408, 768);
        assertThat(tower.get("text_model.embeddings.position_embedding.weight")).containsExactly(77, 768);
        assertThat(tower.get("text_model.encoder.layers.11.mlp.fc1.weight")).containsExactly(3072, 768);
        assertThat(ClipModel.textShapes(ClipConfig.VIT_L_14, true)).containsKey(ClipModel.TEXT_PROJECTION);
    }
}
