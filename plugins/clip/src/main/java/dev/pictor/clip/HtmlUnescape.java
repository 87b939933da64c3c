package dev.pictor.clip;

import java.math.BigInteger;
import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references decoded by the rules of Python's {@code html.unescape}, which OpenAI's tokenizer runs
 * twice: numeric references with or without ';' (with the HTML5 replacements for 0, CR, the windows-1252 range and
 * invalid code points), named references with ';', and the 106 legacy names that HTML5 also accepts without ';'
 * (the longest such prefix wins, as the standard says). Names are HTML 4's (Apache Commons Lang's tables) with
 * HTML5's values (its upper-case aliases, and ⟨ ⟩ for lang and rang); the HTML5-only names (&amp;NotEqualTilde; …)
 * are left as they are.
 */
final class HtmlUnescape {
    private static final Pattern REFERENCE = Pattern.compile(
            "&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    /** Named references, keyed with their ';' ("amp;"), and the legacy ones also without it ("amp"). */
    private static final Map<String, String> NAMES = names();

    private HtmlUnescape() {
    }

    @SuppressWarnings("deprecation")
    private static Map<String, String> names() {
        Map<String, String> m = new HashMap<>();
        for (String[][] table : new String[][][] {
                org.apache.commons.lang3.text.translate.EntityArrays.BASIC_UNESCAPE(),
                org.apache.commons.lang3.text.translate.EntityArrays.ISO8859_1_UNESCAPE(),
                org.apache.commons.lang3.text.translate.EntityArrays.HTML40_EXTENDED_UNESCAPE(),
                org.apache.commons.lang3.text.translate.EntityArrays.APOS_UNESCAPE()}) {
            for (String[] e : table) {
                m.put(e[0].substring(1), e[1]);   // "&amp;" -> "amp;"
            }
        }
        // HTML5's legacy names: Latin-1's, and amp/lt/gt/quot in both cases, COPY and REG, without ';'
        for (String[] e : org.apache.commons.lang3.text.translate.EntityArrays.ISO8859_1_UNESCAPE()) {
            m.put(e[0].substring(1, e[0].length() - 1), e[1]);
        }
        for (String name : new String[] {"amp", "lt", "gt", "quot"}) {
            String value = m.get(name + ";");
            m.put(name, value);
            m.put(name.toUpperCase(java.util.Locale.ROOT), value);
            m.put(name.toUpperCase(java.util.Locale.ROOT) + ";", value);
        }
        m.put("COPY", m.get("copy;"));
        m.put("COPY;", m.get("copy;"));
        m.put("REG", m.get("reg;"));
        m.put("REG;", m.get("reg;"));
        m.put("TRADE;", m.get("trade;"));
        // HTML5 moved these two to the mathematical angle brackets
        m.put("lang;", "\u27E8");
        m.put("rang;", "\u27E9");
        return m;
    }

    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String s) {
        if (s.charAt(0) == '#') {
            boolean hex = s.length() > 1 && (s.charAt(1) == 'x' || s.charAt(1) == 'X');
            String digits = s.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            int num = big.bitLength() > 31 ? Integer.MAX_VALUE : big.intValue();
            return numeric(num);
        }
        String value = NAMES.get(s);
        if (value != null) {
            return value;
        }
        for (int x = s.length() - 1; x > 1; x--) {
            String prefix = NAMES.get(s.substring(0, x));
            if (prefix != null && !s.substring(0, x).endsWith(";")) {
                return prefix + s.substring(x);
            }
        }
        return "&" + s;
    }

    private static String numeric(int num) {
        if (num == 0) {
            return "\uFFFD";
        }
        if (num == 0x0D) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9F) {
            String c = new String(new byte[] {(byte) num}, Charset.forName("windows-1252"));
            return c.equals("\uFFFD") ? String.valueOf((char) num) : c;
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\uFFFD";
        }
        if ((num >= 0x1 && num <= 0x8) || (num >= 0xE && num <= 0x1F) || (num >= 0x7F && num <= 0x9F)
                || (num >= 0xFDD0 && num <= 0xFDEF) || num == 0xB || (num & 0xFFFE) == 0xFFFE) {
            return "";
        }
        return new String(Character.toChars(num));
    }
}
