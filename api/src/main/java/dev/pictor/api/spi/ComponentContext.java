package dev.pictor.api.spi;

import dev.pictor.api.device.Device;
import java.nio.file.Path;

/**
 * What a component factory may ask of the runtime besides its own settings: files, artifacts, the device and
 * other components (so the LDM can ask for a text encoder by name without depending on its plugin).
 *
 * <pre>{@code
 * Encoder<?> text = context.create(ComponentKind.ENCODER, "clip-text", Map.of("weights", "shapes-clip"));
 * }</pre>
 */
public interface ComponentContext {

    /** Folder against which relative paths in settings are resolved (the script's folder, or the cwd). */
    Path baseDirectory();

    /** The verified local copy of an artifact of the current pipeline, by name. */
    Path artifact(String name);

    /** The device components compute on. */
    Device device();

    /** Creates another registered component. */
    <T extends Component> T create(ComponentKind<T> kind, String name, java.util.Map<String, ?> settings);
}
