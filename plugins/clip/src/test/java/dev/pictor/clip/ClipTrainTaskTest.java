package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import dev.pictor.api.task.TaskOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipTrainTaskTest {
    private final ClipTrainTask task = new ClipTrainTask();

    private void run(Map<String, ?> options) {
        // the shares are checked before anything touches the context
        task.run(null, TaskOptions.of("trainClip", options, task.options()), List.of());
    }

    @Test
    void hardNegativeSharesAreFractionsOfOneBatch() {
        assertThatThrownBy(() -> run(Map.of("relationGroups", 1.5))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("relationGroups").hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> run(Map.of("placeGroups", -0.1))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("placeGroups");
        assertThatThrownBy(() -> run(Map.of("placeGroups", 0.6, "relationGroups", 0.6)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("together at most 1");
    }
}
