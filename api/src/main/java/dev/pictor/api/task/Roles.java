package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Component;
import dev.pictor.api.spi.Encoder;

/** The encoders a task finds in a pipeline by role ({@code text}, {@code image}), with one-line errors. */
final class Roles {
    private Roles() {
    }

    /**
     * The encoder in {@code role} reading {@code input}.
     *
     * @param why what the task needs, for the message when the role is missing
     */
    @SuppressWarnings("unchecked")
    static <I> Encoder<I> encoder(LoadedPipeline pipeline, String role, Class<I> input, String why) {
        Component c;
        try {
            c = pipeline.role(role);
        } catch (BadInputException e) {
            throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "' has no '" + role + "' encoder: "
                    + why);
        }
        if (!(c instanceof Encoder<?> e) || !e.inputType().isAssignableFrom(input)) {
            throw new BadInputException("the '" + role + "' component of pipeline '" + pipeline.pipeline().name()
                    + "' is not an encoder of " + input.getSimpleName());
        }
        return (Encoder<I>) e;
    }
}
