package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pictor.api.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipConfigTest {
    static ClipConfig parse(String json) throws Exception {
        return ClipConfig.parse(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void ourJsonRoundTripsForBothTowers() throws Exception {
        for (ClipConfig c : List.of(ClipConfig.VIT_B_32, ClipConfig.RN50, ClipModelParityTest.VIT, ClipModelParityTest.RN)) {
            assertThat(parse(c.toJson())).isEqualTo(c);
        }
    }

    @Test
    void aHuggingFaceConfigIsRead() throws Exception {
        ClipConfig c = parse("""
                {"projection_dim": 512, "model_type": "clip",
                 "text_config": {"hidden_size": 512, "intermediate_size": 2048, "num_attention_heads": 8,
                                 "num_hidden_layers": 12, "vocab_size": 49408, "max_position_embeddings": 77,
                                 "hidden_act": "quick_gelu"},
                 "vision_config": {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                                   "num_hidden_layers": 12, "image_size": 224, "patch_size": 32,
                                   "hidden_act": "quick_gelu"}}""");
        assertThat(c).isEqualTo(ClipConfig.VIT_B_32);
    }

    @Test
    void badConfigsGetOneLineNamingTheKey() {
        assertThatThrownBy(() -> parse("""
                {"embed_dim": 32, "text": {"vocab_size": 10, "context_length": 8, "width": 64, "heads": 3, "layers": 1},
                 "vision": {"type": "vit", "image_size": 32, "patch_size": 8, "width": 64, "heads": 2, "layers": 1}}"""))
                .isInstanceOf(BadInputException.class).hasMessage("config.json: text.heads 3 do not divide text.width 64");
        assertThatThrownBy(() -> parse("""
                {"embed_dim": 32, "text": {"vocab_size": 10, "context_length": 8, "width": 64, "heads": 2, "layers": 1},
                 "vision": {"type": "vit", "image_size": 30, "patch_size": 8, "width": 64, "heads": 2, "layers": 1}}"""))
                .hasMessageContaining("vision.patch_size 8 does not divide image_size 30");
        assertThatThrownBy(() -> parse("""
                {"embed_dim": 32, "text": {"vocab_size": 10, "context_length": 8, "width": 64, "heads": 2, "layer": 1},
                 "vision": {"type": "vit", "image_size": 32, "patch_size": 8, "width": 64, "heads": 2, "layers": 1}}"""))
                .hasMessageContaining("unknown key text.layer (did you mean text.layers?)");
        assertThatThrownBy(() -> parse("{\"embed_dim\": 32, \"text\": {}, \"vision\": {\"type\": \"swin\"}}"))
                .hasMessageContaining("missing text.");
    }
}
