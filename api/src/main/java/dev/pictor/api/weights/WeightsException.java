package dev.pictor.api.weights;

import dev.pictor.api.BadInputException;

/**
 * A weights file that cannot be used: truncated, malformed, lying about offsets, or of an unsupported dtype.
 * Its message is one line naming the file and the problem.
 *
 * <pre>{@code
 * try (SafetensorsFile f = Safetensors.open(path)) { … } catch (WeightsException e) { log.error(e.getMessage()); }
 * }</pre>
 */
public class WeightsException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
