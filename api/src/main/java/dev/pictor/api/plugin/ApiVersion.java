package dev.pictor.api.plugin;

import dev.pictor.api.BadInputException;

/**
 * The version of the plugin contract. A plugin built for {@code major.minor} runs on an API with the same major
 * version and an equal or newer minor version: minor versions only add.
 *
 * <p>History: 1.0, the first contract. 2.0 (issue 9) split the {@code Denoiser} and {@code Sampler} SPIs into their
 * diffusion and autoregressive kinds ({@code DiffusionDenoiser}/{@code DiffusionSampler},
 * {@code AutoregressiveDenoiser}/{@code TokenSampler}); a 1.x plugin is refused with a message naming both versions,
 * since its components would not link.
 *
 * <pre>{@code
 * ApiVersion.CURRENT.supports(ApiVersion.parse("2.0"));   // true
 * ApiVersion.CURRENT.supports(ApiVersion.parse("3.0"));   // false
 * }</pre>
 *
 * @param major breaking changes
 * @param minor additions
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** The API this jar implements. */
    public static final ApiVersion CURRENT = new ApiVersion(2, 0);

    public ApiVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("negative API version " + major + "." + minor);
        }
    }

    /** Parses {@code "1.0"}. */
    public static ApiVersion parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("\\.");
        try {
            if (parts.length == 2) {
                return new ApiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new BadInputException("API version '" + text + "' is not MAJOR.MINOR (e.g. 1.0)");
    }

    /** Whether a plugin built for {@code required} can run on this API. */
    public boolean supports(ApiVersion required) {
        return required.major == major && required.minor <= minor;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
