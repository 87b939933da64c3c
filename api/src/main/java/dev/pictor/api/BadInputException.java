package dev.pictor.api;

import java.util.Collection;

/**
 * The user gave something Pictor cannot use: an unknown name, a malformed file, a bad option.
 * The CLI exits with status 2 for these.
 *
 * <pre>{@code
 * throw BadInputException.unknown("sampler", "ddmi", List.of("ddim", "ddpm"), "see `pictor plugins`");
 * // -> unknown sampler 'ddmi': did you mean 'ddim'? (known: ddim, ddpm; see `pictor plugins`)
 * }</pre>
 */
public class BadInputException extends PictorException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The standard "unknown name" error: suggests the closest known name and lists the known ones.
     *
     * @param what  what kind of thing was asked for, e.g. {@code "tokenizer"} or {@code "zoo pipeline"}
     * @param name  the name the user gave
     * @param known the names that exist
     * @param hint  where to look for more, e.g. {@code "see `pictor zoo list`"}
     */
    public static BadInputException unknown(String what, String name, Collection<String> known, String hint) {
        StringBuilder message = new StringBuilder("unknown ").append(what).append(" '").append(name).append('\'');
        Names.closest(name, known).ifPresent(best -> message.append(": did you mean '").append(best).append("'?"));
        java.util.List<String> sorted = known.stream().sorted().toList();
        String listed = sorted.size() <= 12 ? String.join(", ", sorted)
                : String.join(", ", sorted.subList(0, 12)) + " and " + (sorted.size() - 12) + " more";
        message.append(" (known: ").append(known.isEmpty() ? "none" : listed);
        if (hint != null && !hint.isBlank()) {
            message.append("; ").append(hint);
        }
        return new BadInputException(message.append(')').toString());
    }
}
