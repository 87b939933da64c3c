package dev.pictor.api.task;

import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.ComponentKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of the built-in tasks a pipeline can serve, read from its components: {@code embed} (and {@code search})
 * needs a tokenizer and an encoder; {@code classify} encoders in the roles {@code text} and {@code image};
 * {@code generate} a denoiser. {@code pictor zoo info} prints it; a task run on a
 * pipeline that lacks what it needs fails with a message naming the missing component.
 *
 * <pre>{@code
 * Tasks.served(pictor.zoo("minilm-l6").pipeline());   // [embed, search]
 * }</pre>
 */
public final class Tasks {
    private Tasks() {
    }

    /** The task names, in a fixed order. */
    public static List<String> served(Pipeline pipeline) {
        List<String> tasks = new ArrayList<>();
        boolean text = !pipeline.components(ComponentKind.TOKENIZER).isEmpty()
                && !pipeline.components(ComponentKind.ENCODER).isEmpty();
        boolean denoiser = !pipeline.components(ComponentKind.DENOISER).isEmpty();
        boolean pair = pipeline.component("text").isPresent() && pipeline.component("image").isPresent();
        if (pair) {
            tasks.add("classify");
        }
        if (text && !denoiser) {
            tasks.add("embed");
            tasks.add("search");
        }
        if (denoiser) {
            tasks.add("generate");
        }
        return tasks;
    }
}
