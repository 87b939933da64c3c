package dev.pictor.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.device.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentConfigTest {
    @TempDir
    Path dir;

    private ComponentConfig config(Map<String, ?> settings) {
        ComponentContext ctx = new ComponentContext() {
            public Path baseDirectory() {
                return dir;
            }

            public Path artifact(String name) {
                return dir.resolve("artifacts").resolve(name);
            }

            public Device device() {
                return Device.cpu();
            }

            public <T extends Component> T create(ComponentKind<T> kind, String name, Map<String, ?> s) {
                throw new UnsupportedOperationException();
            }
        };
        return new ComponentConfig(ComponentKind.TOKENIZER, "word", settings, ctx);
    }

    @Test
    void typedGettersConvertAndDefault() {
        ComponentConfig c = config(Map.of("n", 3, "s", "12", "r", "0.5", "b", "yes", "t", "x"));
        assertThat(c.integer("n", 0)).isEqualTo(3);
        assertThat(c.integer("s", 0)).isEqualTo(12);
        assertThat(c.integer("absent", 7)).isEqualTo(7);
        assertThat(c.real("r", 0)).isEqualTo(0.5);
        assertThat(c.bool("b", false)).isTrue();
        assertThat(c.string("t", null)).isEqualTo("x");
        assertThat(c.choice("t", "x", List.of("x", "y"))).isEqualTo("x");
    }

    @Test
    void badValuesNameTheComponentAndSetting() {
        ComponentConfig c = config(Map.of("n", "many", "f", 2.5, "b", "maybe"));
        assertThatThrownBy(() -> c.integer("n", 0)).isInstanceOf(BadInputException.class)
                .hasMessage("tokenizer 'word': setting 'n' must be a whole number, got 'many'");
        assertThatThrownBy(() -> c.integer("f", 0)).hasMessageContaining("whole number, got '2.5'");
        assertThatThrownBy(() -> c.bool("b", false)).hasMessageContaining("true or false");
        assertThatThrownBy(() -> c.requireString("absent")).hasMessageContaining("'absent' is required");
        assertThatThrownBy(() -> c.choice("n", "x", List.of("x", "y"))).hasMessageContaining("one of [x, y]");
    }

    @Test
    void unknownSettingsAreRejectedWithASuggestion() {
        assertThatThrownBy(() -> config(Map.of("vocabluary", "v.txt")).allowOnly("vocabulary", "lowercase"))
                .hasMessage("tokenizer 'word': unknown setting 'vocabluary': did you mean 'vocabulary'? (known: "
                        + "lowercase, vocabulary)");
        config(Map.of("vocabulary", "v.txt")).allowOnly("vocabulary", "lowercase");
    }

    @Test
    void pathsResolveAgainstTheBaseDirectoryOrAnArtifact() throws Exception {
        Files.writeString(dir.resolve("v.txt"), "a");
        assertThat(config(Map.of("p", "v.txt")).requirePath("p")).isEqualTo(dir.resolve("v.txt"));
        assertThat(config(Map.of("p", "artifact:x.vocab")).requirePath("p"))
                .isEqualTo(dir.resolve("artifacts/x.vocab"));
        assertThatThrownBy(() -> config(Map.of("p", "absent.txt")).requirePath("p"))
                .hasMessageContaining("file for setting 'p' not found");
    }
}
