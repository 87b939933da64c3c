package dev.pictor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pictor classify}: the CLI face of the Classify task (whose numbers ClassifyTest checks). */
class ClassifyCliTest {
    @TempDir
    Path dir;

    @Test
    void aPipelineWithoutAnImageEncoderIsOneLine() throws Exception {
        Path image = Files.writeString(dir.resolve("x.png"), "not read before the pipeline is checked");
        var r = ThirdPartyPluginTest.cli("classify", "--pipeline", "shapes-words", "--labels", "red,blue",
                image.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: pipeline 'shapes-words' has no 'text' encoder: zero-shot"
                + " classification needs a text and an image encoder (a CLIP pipeline)");
        var one = ThirdPartyPluginTest.cli("classify", "--pipeline", "shapes-words", "--labels", "red", image.toString());
        assertThat(one.err()).contains("at least two labels");
        var help = ThirdPartyPluginTest.cli("classify", "--help");
        assertThat(help.out()).contains("--labels").contains("--template").contains("--scale").contains("IMAGE");
    }
}
