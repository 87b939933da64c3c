package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.testing.Fixtures;
import dev.pictor.nn.Graph;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The OpenAI layout against the exact key names and shapes of the released ViT-B/32 and RN50 (listed by
 * make_clip_fixtures.py from OpenAI's module built with their configurations): every key is consumed and every
 * model tensor supplied, with its shape.
 */
class ClipCheckpointTest {

    static Map<String, long[]> listing(String name) throws IOException {
        return Fixtures.shapes(ClipCheckpointTest.class, name);
    }

    /** The names and shapes ClipModel builds for a config (parameters and buffers). */
    static Map<String, long[]> modelShapes(ClipConfig config) {
        // described, not built: names and shapes without allocating 150 M parameters
        return SHAPES.computeIfAbsent(config, c -> new ClipModel(c, Graph.describing(DataType.FLOAT,
                Graph.Mode.INFER)).graph().shapes());
    }

    private static final Map<ClipConfig, Map<String, long[]>> SHAPES = new java.util.concurrent.ConcurrentHashMap<>();

    @Test
    void openAiViTB32MapsOntoTheModelKeyForKey() throws IOException {
        Map<String, long[]> openai = listing("keys_vit_b32");
        assertThat(openai).hasSize(302);
        Map<String, long[]> mapped = ClipCheckpoint.canonicalShapes(openai);
        Map<String, long[]> model = modelShapes(ClipConfig.VIT_B_32);
        Graph.checkState(model, mapped, true);   // throws naming the first missing or unexpected key
        assertThat(mapped.keySet()).containsExactlyInAnyOrderElementsOf(model.keySet());
        // 12 fused in_proj weights and biases per tower became three each: 302 + 2·(12 + 12)·2 = 398
        assertThat(model).hasSize(398);
        assertThat(mapped.get("visual_projection.weight")).containsExactly(512, 768);
        assertThat(mapped.get("text_model.encoder.layers.11.self_attn.v_proj.weight")).containsExactly(512, 512);
    }

    @Test
    void openAiRn50MapsOntoTheModelKeyForKey() throws IOException {
        Map<String, long[]> openai = listing("keys_rn50");
        Map<String, long[]> mapped = ClipCheckpoint.canonicalShapes(openai);
        Map<String, long[]> model = modelShapes(ClipConfig.RN50);
        Graph.checkState(model, mapped, true);
        long counters = openai.keySet().stream().filter(k -> k.endsWith("num_batches_tracked")).count();
        assertThat(counters).isPositive();
        // BatchNorm's step counters are dropped; the text tower's 12 fused projections became 36
        assertThat(model).hasSize((int) (openai.size() - counters + 12 * 2 * 2));
        assertThat(mapped.get("visual.attnpool.c_proj.weight")).containsExactly(1024, 2048);
    }

    @Test
    void huggingFaceLayoutMapsOntoTheModelKeyForKey() throws IOException {
        // a real HF CLIPModel's parameters and buffers (OpenAI's text tower, ViT-B at patch 8 and 448 px)
        Map<String, long[]> hf = listing("keys_hf_vit_b8_448");
        assertThat(hf).hasSize(400).containsKeys("text_model.embeddings.position_ids",
                "vision_model.embeddings.position_ids");
        ClipConfig config = new ClipConfig(512, ClipConfig.OPENAI_TEXT,
                new ClipConfig.VisionTransformer(448, 8, 768, 12, 12, 3072), dev.pictor.nn.layers.Activation.QUICK_GELU,
                1e-5);
        Map<String, long[]> mapped = ClipCheckpoint.canonicalShapes(hf);
        Map<String, long[]> model = modelShapes(config);
        Graph.checkState(model, mapped, true);
        assertThat(mapped.keySet()).containsExactlyInAnyOrderElementsOf(model.keySet());
        assertThat(model).hasSize(398);   // the two position_ids buffers are arange tables, dropped
    }

    @Test
    void aMissingOrUnexpectedKeyIsNamed() throws IOException {
        Map<String, long[]> mapped = ClipCheckpoint.canonicalShapes(listing("keys_vit_b32"));
        Map<String, long[]> model = modelShapes(ClipConfig.VIT_B_32);
        Map<String, long[]> broken = new LinkedHashMap<>(mapped);
        broken.remove("vision_model.post_layernorm.bias");
        broken.put("vision_model.post_layernorm.bais", new long[] {768});
        assertThatThrownBy(() -> Graph.checkState(model, broken, true)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("lack 1 of the model's 398 tensors, first vision_model.post_layernorm.bias")
                .hasMessageContaining("(the checkpoint has vision_model.post_layernorm.bais)")
                .hasMessageContaining("hold 1 the model does not have, first vision_model.post_layernorm.bais");
        Map<String, long[]> wrongShape = new LinkedHashMap<>(mapped);
        wrongShape.put("visual_projection.weight", new long[] {768, 512});
        assertThatThrownBy(() -> Graph.checkState(model, wrongShape, true))
                .hasMessageContaining("visual_projection.weight have shape [768, 512] but the model needs [512, 768]");
    }

    @Test
    void theOpenAiLayoutRoundTrips() {
        for (String name : new String[] {"clip_vit", "clip_rn"}) {
            Map<String, INDArray> openai = ClipModelParityTest.under(ClipModelParityTest.fixture(name), "param.");
            Map<String, INDArray> back = ClipCheckpoint.toOpenAi(ClipCheckpoint.toCanonical(openai));
            openai.forEach((k, v) -> {
                if (k.endsWith("num_batches_tracked")) {
                    assertThat(back).doesNotContainKey(k);
                } else {
                    assertThat(back.get(k)).as(k).isEqualTo(v);
                }
            });
            assertThat(back.keySet()).allMatch(openai::containsKey);
        }
    }

    @Test
    void aCheckpointThatDoesNotFitItsConfigIsOneLineNamingTheFileAndKeys(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        Map<String, INDArray> openai = new LinkedHashMap<>(ClipModelParityTest.under(ClipModelParityTest.fixture(
                "clip_vit"), "param."));
        openai.remove("ln_final.bias");
        openai.put("ln_final.bais", openai.get("ln_final.weight"));
        java.nio.file.Path file = dir.resolve("broken.safetensors");
        dev.pictor.api.weights.Safetensors.write(file, openai, Map.of());
        assertThatThrownBy(() -> ClipWeights.load(ClipModelParityTest.VIT, file)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(file + ": weights lack 1 of the model's")
                .hasMessageContaining("first text_model.final_layer_norm.bias")
                .hasMessageContaining("hold 1 the model does not have, first ln_final.bais");
        // the right file for another config: the first tensor whose shape differs
        openai.remove("ln_final.bais");
        openai.put("ln_final.bias", openai.get("ln_final.weight"));
        dev.pictor.api.weights.Safetensors.write(file, openai, Map.of());
        ClipConfig biggerVocabulary = new ClipConfig(32, new ClipConfig.TextTower(301, 16, 64, 4, 2, 256),
                ClipModelParityTest.VIT.vision(), dev.pictor.nn.layers.Activation.QUICK_GELU, 1e-5);
        assertThatThrownBy(() -> ClipWeights.load(biggerVocabulary, file)).hasMessage(file + ": weights for"
                + " text_model.embeddings.token_embedding.weight have shape [300, 64] but the model needs [301, 64]: the"
                + " checkpoint is for another configuration");
        // and a ResNet's config with a ViT's weights: the counts and first names of both sides
        assertThatThrownBy(() -> ClipWeights.load(ClipModelParityTest.RN, file))
                .hasMessageContaining("weights lack 119 of the model's 157 tensors, first visual.conv1.weight");
    }

    @Test
    void aFileOfNeitherLayoutIsRefused() {
        assertThatThrownBy(() -> ClipCheckpoint.layout(java.util.List.of("encoder.layer.0.attention.self.query.weight")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("not a CLIP checkpoint");
    }
}
