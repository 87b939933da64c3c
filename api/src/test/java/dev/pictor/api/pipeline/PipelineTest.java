package dev.pictor.api.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.ComponentKind;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineTest {
    @Test
    void builderMakesAnImmutableValue() {
        Map<String, Object> settings = new HashMap<>(Map.of("corpus", "a.txt"));
        Pipeline p = Pipeline.builder("encoding").tokenizer("word", settings).encoder("one-hot").build();
        settings.put("corpus", "changed.txt");
        assertThat(p.component("tokenizer")).get().extracting(ComponentSpec::settings)
                .isEqualTo(Map.of("corpus", "a.txt"));
        assertThat(p.components(ComponentKind.ENCODER)).extracting(ComponentSpec::name).containsExactly("one-hot");
        assertThatThrownBy(() -> p.components().add(null)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(p).isEqualTo(Pipeline.builder("encoding").tokenizer("word", Map.of("corpus", "a.txt"))
                .encoder("one-hot").build());
        assertThat(p.name()).isEqualTo("custom");
        assertThat(p.named("z").name()).isEqualTo("z");
    }

    @Test
    void settingsAreCopiedDeeplyAndTextBecomesString() {
        java.util.List<Object> sizes = new java.util.ArrayList<>(java.util.List.of(1, 2));
        StringBuilder text = new StringBuilder("x.txt");
        Pipeline p = Pipeline.builder("t").tokenizer("word", Map.of("sizes", sizes, "file", text)).build();
        sizes.add(3);
        text.append("!");
        Map<String, Object> s = p.component("tokenizer").orElseThrow().settings();
        assertThat(s.get("sizes")).isEqualTo(java.util.List.of(1, 2));
        assertThat(s.get("file")).isEqualTo("x.txt");
        assertThatThrownBy(() -> ((java.util.List<Object>) s.get("sizes")).add(4))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void twoComponentsInOneRoleAreAnError() {
        assertThatThrownBy(() -> Pipeline.builder("t").encoder("a").encoder("b").build())
                .isInstanceOf(BadInputException.class).hasMessageContaining("two components in role 'encoder'");
        Pipeline ok = Pipeline.builder("zero-shot")
                .component(ComponentKind.ENCODER, "clip-text", "text", Map.of())
                .component(ComponentKind.ENCODER, "clip-image", "image", Map.of()).build();
        assertThat(ok.components(ComponentKind.ENCODER)).hasSize(2);
    }
}
