package dev.pictor.api.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A pipeline's own sampling defaults: used where the request is silent, never over what it names. */
class GenerateRequestTest {
    private static final Path BASE = Path.of("/tmp");
    private static final Pipeline TUNED = Pipeline.builder("text-to-image").name("tuned")
            .defaults(Map.of("guidance", 3, "guidanceRescale", 0.7, "sampler", "ddim")).build();

    private static GenerateRequest request(Map<String, ?> options, Pipeline pipeline) {
        return GenerateRequest.from(GenerateRequest.withDefaults(TaskOptions.of("generate", options,
                GenerateRequest.OPTIONS), pipeline), BASE);
    }

    @Test
    void thePipelinesDefaultsFillWhatTheRequestLeavesOut() {
        GenerateRequest r = request(Map.of("prompt", "a red circle"), TUNED);
        assertThat(r.guidance()).isEqualTo(3.0);
        assertThat(r.guidanceRescale()).isEqualTo(0.7);
        assertThat(r.sampler()).contains("ddim");
        assertThat(r.steps()).isEqualTo(20);   // not among the pipeline's: generate's own
    }

    @Test
    void whatTheRequestNamesWins() {
        GenerateRequest r = request(Map.of("prompt", "a red circle", "guidance", 7.5, "guidanceRescale", 0), TUNED);
        assertThat(r.guidance()).isEqualTo(7.5);
        assertThat(r.guidanceRescale()).isEqualTo(0.0);
        assertThat(r.sampler()).contains("ddim");
    }

    @Test
    void withoutDefaultsTheGlobalOnesHold() {
        GenerateRequest r = request(Map.of("prompt", "x"), Pipeline.builder("text-to-image").build());
        assertThat(r.guidance()).isEqualTo(5.0);
        assertThat(r.guidanceRescale()).isEqualTo(0.0);
        assertThat(r.sampler()).isEqualTo(Optional.empty());
    }

    @Test
    void aDefaultOutsideTheSamplingOptionsNamesThePipeline() {
        Pipeline bad = Pipeline.builder("text-to-image").name("odd").defaults(Map.of("out", "/elsewhere")).build();
        assertThatThrownBy(() -> request(Map.of("prompt", "x"), bad)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("pipeline 'odd' defaults: unknown option 'out'");
        Pipeline typo = Pipeline.builder("text-to-image").name("typo").defaults(Map.of("guidence", 3)).build();
        assertThatThrownBy(() -> request(Map.of("prompt", "x"), typo))
                .hasMessageContaining("did you mean 'guidance'?");
    }

    @Test
    void aBadDefaultIsCheckedLikeAGivenValue() {
        Pipeline bad = Pipeline.builder("text-to-image").defaults(Map.of("guidanceRescale", 2)).build();
        assertThatThrownBy(() -> request(Map.of("prompt", "x"), bad)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("pipeline 'custom' defaults: option 'guidanceRescale' must lie in [0, 1]");
    }

    @Test
    void promptsOfATasksOwnGoThroughTheSameChecks() {
        List<GenerateRequest.Prompt> prompts = List.of(new GenerateRequest.Prompt("a", "a red circle"));
        GenerateRequest r = GenerateRequest.from(GenerateRequest.withDefaults(TaskOptions.of("evalX",
                Map.of("count", 3, "seed", 9), GenerateRequest.OPTIONS), TUNED), prompts, BASE);
        assertThat(r.prompts()).isEqualTo(prompts);
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.seed()).isEqualTo(9);
        assertThat(r.guidance()).isEqualTo(3.0);
        assertThatThrownBy(() -> GenerateRequest.from(TaskOptions.of("evalX", Map.of("count", 65),
                GenerateRequest.OPTIONS), prompts, BASE)).hasMessageContaining("evalX: option 'count' must lie in [1, 64]");
        assertThatThrownBy(() -> GenerateRequest.from(TaskOptions.of("evalX", Map.of(), GenerateRequest.OPTIONS),
                List.of(), BASE)).hasMessageContaining("evalX needs at least one prompt");
    }

    @Test
    void aPipelineKeepsItsDefaultsWhenRenamed() {
        assertThat(TUNED.named("zoo-name").defaults()).isEqualTo(TUNED.defaults());
        assertThatThrownBy(() -> TUNED.defaults().put("steps", 1)).isInstanceOf(UnsupportedOperationException.class);
    }
}
