package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.artifact.ArtifactStore;
import dev.pictor.api.device.Device;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.task.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PictorTest {
    @TempDir
    Path dir;

    private Pictor pictor() {
        return Pictor.builder().plugins(null).device(Device.cpu(2))
                .artifacts(new ArtifactStore(dir.resolve("cache"), false)).build();
    }

    @Test
    void opensAZooPipelineWhoseSettingsNameAnArtifact() {
        try (Pictor pictor = pictor(); LoadedPipeline p = pictor.open(pictor.zoo("echo-test").pipeline())) {
            assertThat(p.tokenizer().encode("blue red").ids()).containsExactly(2, 0);
            TokenBatch b = p.tokenizer().encodeBatch(List.of("green", "red blue"));
            assertThat(b.inputIds().toLongMatrix()).isEqualTo(new long[][] {{1, 0}, {0, 2}});
            assertThat(b.attentionMask().toLongMatrix()).isEqualTo(new long[][] {{1, 0}, {1, 1}});
            assertThat(dir.resolve("cache/artifacts")).isDirectory();
        }
    }

    @Test
    void opensAJavaBuiltPipelineWithRelativePaths() throws Exception {
        Files.writeString(dir.resolve("w.txt"), "a\nb\n");
        Pipeline p = Pipeline.builder("t").tokenizer("lines", Map.of("words", "w.txt")).build();
        try (Pictor pictor = pictor(); LoadedPipeline loaded = pictor.open(p, dir)) {
            assertThat(loaded.tokenizer().decode(new int[] {1, 0})).isEqualTo("b a");
            assertThatThrownBy(loaded::encoder).hasMessageContaining("has no encoder");
        }
    }

    @Test
    void unknownComponentsAndArtifactsAreClearErrors() {
        try (Pictor pictor = pictor()) {
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("t").tokenizer("lnies", Map.of()).build()))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("did you mean 'lines'?");
            assertThatThrownBy(() -> pictor.open(Pipeline.builder("t")
                    .tokenizer("lines", Map.of("words", "artifact:nope.txt")).build()))
                    .hasMessageContaining("unknown artifact of pipeline 'custom' 'nope.txt'");
            assertThatThrownBy(() -> pictor.open(42, dir)).hasMessageContaining("expected a pipeline");
        }
    }

    @Test
    void tasksRunThroughTheirContext() {
        try (Pictor pictor = pictor()) {
            Object n = pictor.plugins().task("count-lines").orElseThrow().call("count-lines",
                    new TaskContext(pictor, System.out, dir, dev.pictor.api.run.ProgressListener.NONE,
                            dev.pictor.api.run.Cancellation.never()), Map.of("text", "a\nb\nc"), List.of());
            assertThat(n).isEqualTo(3L);
        }
    }

    @Test
    void deviceIsFixedOnceAPipelineIsOpen() {
        try (Pictor pictor = pictor()) {
            pictor.device(Device.cpu(1));
            pictor.open(pictor.zoo("echo-test")).close();
            pictor.device(Device.cpu(1));
            assertThatThrownBy(() -> pictor.device(Device.cpu(2))).hasMessageContaining("choose the device once");
        }
    }
}
