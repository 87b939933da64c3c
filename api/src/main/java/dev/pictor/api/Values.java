package dev.pictor.api;

import java.util.Locale;

/**
 * The one set of rules by which user-given values (DSL named arguments, descriptor settings, CLI options) become
 * numbers and flags: a whole number may be written {@code 20}, {@code 20.0} or {@code "20"}; a flag {@code true},
 * {@code yes} or {@code on}. Each failure is one line naming the value: {@code what} says whose it is.
 *
 * <pre>{@code
 * int steps = Values.integer(options.get("steps"), "generate: option 'steps'");
 * }</pre>
 */
public final class Values {
    private Values() {
    }

    /** A whole number, or a {@link BadInputException} "{@code what} must be a whole number, got '…'". */
    public static int integer(Object v, String what) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(what + " must be a whole number, got '" + v + "'");
        }
    }

    /** A 64-bit whole number (seeds). */
    public static long longInteger(Object v, String what) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !(v instanceof Double d
                && Math.abs(d) > 9.0e15)) {
            return n.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(what + " must be a whole number, got '" + v + "'");
        }
    }

    /** A finite number. */
    public static double real(Object v, String what) {
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                throw new BadInputException(what + " must be a number, got '" + v + "'");
            }
        }
        if (!Double.isFinite(d)) {
            throw new BadInputException(what + " must be a finite number, got '" + v + "'");
        }
        return d;
    }

    /** true/yes/on or false/no/off. */
    public static boolean bool(Object v, String what) {
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (String.valueOf(v).trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new BadInputException(what + " must be true or false, got '" + v + "'");
        };
    }
}
