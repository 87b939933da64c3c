package dev.pictor.api.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.ComponentKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ZooDescriptorsTest {
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void readsADescriptorWithItsArtifacts() {
        ZooEntry e = ZooDescriptors.read(loader, "pictor/zoo/echo-test.json");
        assertThat(e.name()).isEqualTo("echo-test");
        assertThat(e.task()).isEqualTo("tokenization");
        assertThat(e.pipeline().name()).isEqualTo("echo-test");
        assertThat(e.pipeline().components(ComponentKind.TOKENIZER)).singleElement()
                .satisfies(c -> assertThat(c.settings()).containsEntry("words", "artifact:echo-words.txt"));
        assertThat(e.pipeline().artifact("echo-words.txt")).isPresent();
        assertThat(e.modelCard()).startsWith("# echo-test");
    }

    @Test
    void readsAPipelinesDefaults() {
        ZooEntry e = ZooDescriptors.parse(loader, "d.json", ("{\"name\":\"x\",\"task\":\"text-to-image\","
                + "\"components\":[],\"defaults\":{\"guidance\":3,\"guidanceRescale\":0.7}}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(e.pipeline().defaults()).containsExactly(java.util.Map.entry("guidance", 3),
                java.util.Map.entry("guidanceRescale", 0.7));
        assertThat(ZooDescriptors.read(loader, "pictor/zoo/echo-test.json").pipeline().defaults()).isEmpty();
    }

    @Test
    void rejectsMalformedDescriptorsWithTheFileName() {
        assertBad("{\"name\":\"x\",\"task\":\"t\",\"components\":[],\"colour\":1}", "Unrecognized field \"colour\"");
        assertBad("{\"name\":\"x\",\"components\":[]}", "task");
        assertBad("{\"name\":\"x\",\"task\":\"t\",\"components\":[{\"kind\":\"tokeniser\",\"name\":\"w\"}]}",
                "unknown component kind 'tokeniser': did you mean 'tokenizer'?");
        assertBad("{\"name\":\"x\",\"task\":\"t\",\"components\":[],\"artifacts\":[{\"name\":\"a\",\"sha256\":\"00\","
                + "\"sources\":[]}]}", "64 hex digits");
        assertBad("{not json", "malformed");
        assertThatThrownBy(() -> ZooDescriptors.read(loader, "pictor/zoo/absent.json"))
                .hasMessageContaining("pictor/zoo/absent.json is missing");
    }

    private void assertBad(String json, String fragment) {
        assertThatThrownBy(() -> ZooDescriptors.parse(loader, "d.json", json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("d.json").hasMessageContaining(fragment);
    }
}
