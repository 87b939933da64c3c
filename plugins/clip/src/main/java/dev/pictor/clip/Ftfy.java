package dev.pictor.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of {@code ftfy.fix_text} (ftfy 6.3.1, Robyn Speer, Apache License 2.0) with its default configuration.
 * OpenAI's CLIP tokenizer runs every text through it before anything else, so a tokenizer that is to give OpenAI's ids
 * must repair text the same way: mojibake ({@code "doesnâ€™t"} → {@code "doesn't"}), HTML entities including
 * HTML5's and upper-cased ones, C1 controls read as windows-1252, Latin ligatures, full- and half-width forms, curly
 * quotes, line breaks, surrogates, terminal escapes, control characters, then NFC.
 *
 * <p>The logic follows ftfy's {@code fix_text}, {@code fix_and_explain}, {@code fix_encoding} and the fixers it calls,
 * step by step and in ftfy's order, quirks included. ftfy's tables and regular expressions are not restated here:
 * {@code src/test/python/make_ftfy_tables.py} writes them from ftfy itself into {@code ftfy-tables.txt}, the
 * expressions already translated to {@code java.util.regex} (Python's {@code \s}, {@code \w}, {@code \d} spelled out
 * as the code points Python gives them). Python strings are code points and ftfy's byte work is on {@code bytes};
 * here text is iterated by code point where that matters, and bytes are held as strings of chars U+0000–U+00FF, one per
 * byte, so the byte expressions run on them directly.
 *
 * <p>Not matched: Unicode NFC is Java's (Unicode 13 on Java 17) where ftfy's is Python's; the two differ only for
 * characters assigned after Java's version.
 */
final class Ftfy {
    /** ftfy's {@code max_decode_length}: a line longer than this many code points is fixed in pieces. */
    private static final int MAX_DECODE_LENGTH = 1_000_000;
    private static final String TABLES = "ftfy-tables.txt";

    private static final Map<String, Pattern> RE = new HashMap<>();
    /** The single-byte encodings fix_encoding tries, in ftfy's order ({@code CHARMAP_ENCODINGS}). */
    private static final List<Charmap> CHARMAPS = new ArrayList<>();
    private static final Map<String, Charmap> CHARMAP_BY_NAME = new HashMap<>();
    private static final Map<Integer, String> LIGATURES = new HashMap<>();
    private static final Map<Integer, String> WIDTH = new HashMap<>();
    private static final Map<Integer, String> CONTROL_CHARS = new HashMap<>();
    private static final Map<String, String> ENTITIES = new HashMap<>();
    /** Python's html module: numeric references whose replacement is not simply the code point. */
    private static final Map<Integer, String> CHARREFS = new HashMap<>();
    /** The badness expression's alphabet (see {@link #isBad}): the letter of each BMP char, and ranges beyond. */
    private static final char[] BADNESS_BMP = new char[0x10000];
    private static final List<int[]> BADNESS_ASTRAL = new ArrayList<>();
    /** Letters of which every badness match holds one, and the longest match in code points. */
    private static final boolean[] BADNESS_ANCHOR = new boolean[0x10000];
    private static int badnessWidth;

    static {
        load();
    }

    private static final Pattern BADNESS_LETTERS = RE.get("BADNESS_LETTERS");
    /** ftfy's UTF8_DETECTOR_RE, (?<!...)(unit)+, as its first unit and the unit alone (see decodeInconsistentUtf8). */
    private static final Pattern UTF8_DETECTOR_START = RE.get("UTF8_DETECTOR_START");
    private static final Pattern UTF8_DETECTOR_UNIT = RE.get("UTF8_DETECTOR_UNIT");
    private static final Pattern HTML_ENTITY = RE.get("HTML_ENTITY");
    private static final Pattern C1_CONTROL = RE.get("C1_CONTROL");
    private static final Pattern SINGLE_QUOTE = RE.get("SINGLE_QUOTE");
    private static final Pattern DOUBLE_QUOTE = RE.get("DOUBLE_QUOTE");
    private static final Pattern ANSI = RE.get("ANSI");
    private static final Pattern ALTERED_UTF8 = RE.get("ALTERED_UTF8");
    private static final Pattern LOSSY_UTF8 = RE.get("LOSSY_UTF8");
    private static final Pattern A_GRAVE_WORD = RE.get("A_GRAVE_WORD");
    private static final Pattern UTF8_VARIANTS_SPECIAL = RE.get("UTF8_VARIANTS_SPECIAL");
    private static final Pattern CESU8 = RE.get("CESU8");
    private static final Charmap LATIN_1 = CHARMAP_BY_NAME.get("latin-1");
    private static final Charmap WINDOWS_1252 = CHARMAP_BY_NAME.get("windows-1252");
    private static final Charmap SLOPPY_WINDOWS_1252 = CHARMAP_BY_NAME.get("sloppy-windows-1252");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+");
    private static final Pattern HEX = Pattern.compile("[xX][0-9a-fA-F]+");

    private Ftfy() {
    }

    /** {@code ftfy.fix_text(text)}: the text with ftfy's default fixes applied, line by line. */
    static String fixText(String text) {
        if (plainAscii(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        // ftfy turns off HTML unescaping for the rest of the text once a line holds '<' (it looks like HTML, where
        // entities are meant literally): its config is replaced, not restored, for the following lines.
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int end = text.indexOf('\n', pos) + 1;
            if (end == 0) {
                end = text.length();
            }
            if (text.codePointCount(pos, end) > MAX_DECODE_LENGTH) {
                end = text.offsetByCodePoints(pos, MAX_DECODE_LENGTH);
            }
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /**
     * True when no fix can change the text: printable ASCII, tab, line feed and form feed, and no '&amp;'. Every fixer
     * leaves such text alone (fix_encoding returns ASCII as it is), so the common case of a plain caption costs one
     * scan. Carriage returns, other controls and escapes are not plain: they are rewritten.
     */
    private static boolean plainAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x7F || c == '&' || (c < 0x20 && c != '\t' && c != '\n' && c != '\f')) {
                return false;
            }
        }
        return true;
    }

    /** {@code fix_and_explain}: every fixer in ftfy's order, repeated until the text stops changing. */
    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String orig = text;
            if (unescapeHtml) {
                text = unescapeHtml(text);
            }
            text = fixEncoding(text);
            text = fixC1Controls(text);
            text = translate(text, LIGATURES);
            text = translate(text, WIDTH);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = ANSI.matcher(text).replaceAll("");
            text = translate(text, CONTROL_CHARS);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                return text;
            }
        }
    }

    // ---- fix_encoding ----

    /** {@code ftfy.fix_encoding}: mojibake repair steps until one changes nothing. */
    static String fixEncoding(String text) {
        while (true) {
            String prev = text;
            text = fixEncodingOneStep(text);
            if (text.equals(prev)) {
                return text;
            }
        }
    }

    private static String fixEncodingOneStep(String text) {
        if (text.isEmpty()) {
            return text;
        }
        // ASCII, and text that does not look like mojibake, stay as they are
        if (isAscii(text) || !isBad(text)) {
            return text;
        }
        // The common case: UTF-8 that was decoded with a single-byte encoding. Encode it back and decode as UTF-8.
        List<String> possible = new ArrayList<>();
        for (Charmap encoding : CHARMAPS) {
            if (!encoding.possible(text)) {
                continue;
            }
            possible.add(encoding.name);
            String bytes = encoding.encode(text);
            // UTF-8 that would be valid if a 0xA0 byte had not become a space; not in macroman, where the pattern
            // would also match an en dash before a space
            if (!encoding.name.equals("macroman") && ALTERED_UTF8.matcher(bytes).find()) {
                bytes = restoreByteA0(bytes);
            }
            if (encoding.name.startsWith("sloppy")) {
                bytes = LOSSY_UTF8.matcher(bytes).replaceAll("\u00ef\u00bf\u00bd");   // UTF-8 of U+FFFD
            }
            String fixed = bytes.indexOf(0xED) >= 0 || bytes.indexOf(0xC0) >= 0
                    ? decodeUtf8Variants(bytes)
                    : decodeUtf8(bytes, 0, bytes.length());
            if (fixed != null) {
                return fixed;
            }
        }
        // UTF-8 mojibake embedded in other text: fix the matching stretches on their own
        if (UTF8_DETECTOR_START.matcher(text).find()) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) {
                return fixed;
            }
        }
        // Latin-1 that was meant as windows-1252. (ftfy first returns the text unchanged when "windows-1252" is among
        // the possible encodings; its list only ever names "sloppy-windows-1252", so that branch never runs.)
        if (possible.contains("latin-1")) {
            String fixed = WINDOWS_1252.decode(LATIN_1.encode(text));
            if (fixed != null && !fixed.equals(text)) {
                return fixed;
            }
        }
        if (C1_CONTROL.matcher(text).find()) {
            return fixC1Controls(text);
        }
        // Mix-ups between two other single-byte encodings: ftfy leaves them
        return text;
    }

    /**
     * {@code badness.is_bad}: whether the text holds a sequence that is far likelier mojibake than meant. ftfy's
     * expression tries character classes of hundreds of members at every position, which java.util.regex tests
     * member by member; so the table generator rewrote it over an alphabet of fewer than 256 letters, one for each
     * set of code points that all its classes treat alike, and the text is spelt in those letters first (one per code
     * point). The rewritten expression matches the spelt text exactly where ftfy's matches the text. And since every
     * match holds one of a few anchor letters (non-ASCII ones) and is at most a few letters long, only the starts
     * near anchors are tried: most text has none.
     */
    static boolean isBad(String text) {
        StringBuilder letters = new StringBuilder(text.length());
        boolean anchored = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            char letter = cp < 0x10000 ? BADNESS_BMP[cp] : astralLetter(cp);
            anchored |= BADNESS_ANCHOR[letter];
            letters.append(letter);
            i += Character.charCount(cp);
        }
        if (!anchored) {
            return false;
        }
        Matcher m = BADNESS_LETTERS.matcher(letters);
        m.useAnchoringBounds(false);   // '^' and '$' keep meaning the ends of the text, not of the region
        m.useTransparentBounds(true);
        int n = letters.length();
        int tried = 0;   // starts below this have been tried
        for (int j = 0; j < n; j++) {
            if (!BADNESS_ANCHOR[letters.charAt(j)]) {
                continue;
            }
            // a match holding position j starts within the width before it
            for (int start = Math.max(tried, j - badnessWidth + 1); start <= j; start++) {
                m.region(start, n);
                if (m.lookingAt()) {
                    return true;
                }
            }
            tried = j + 1;
        }
        return false;
    }

    /** The letter of a code point beyond the BMP: a binary search of the ranges, which are in order and cover all. */
    private static char astralLetter(int cp) {
        int lo = 0;
        int hi = BADNESS_ASTRAL.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (BADNESS_ASTRAL.get(mid)[0] <= cp) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return (char) BADNESS_ASTRAL.get(lo)[2];
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code restore_byte_a0}: puts back 0xA0 bytes that became spaces inside would-be UTF-8; a lone "Ã " word (the
     * mojibake of "à ") gets its 0xA0 while keeping the space.
     */
    private static String restoreByteA0(String bytes) {
        bytes = A_GRAVE_WORD.matcher(bytes).replaceAll("\u00c3\u00a0 ");
        return replace(ALTERED_UTF8, bytes, m -> m.group().replace(' ', '\u00a0'));
    }

    /**
     * {@code decode_inconsistent_utf8}: fixes each stretch that looks like UTF-8 mojibake (if not the whole text).
     * ftfy finds the stretches with one expression, a lookbehind and a repeated unit; java.util.regex would recurse
     * once per unit and overflow the stack on long stretches, so the units after the first are matched in a loop
     * here. The repetition is greedy and ends the expression, so its match is exactly this longest run.
     */
    private static String decodeInconsistentUtf8(String text) {
        Matcher start = UTF8_DETECTOR_START.matcher(text);
        if (!start.find()) {
            return text;
        }
        Matcher unit = UTF8_DETECTOR_UNIT.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        do {
            int end = start.end();
            unit.region(end, text.length());
            while (unit.lookingAt()) {
                end = unit.end();
                unit.region(end, text.length());
            }
            String sub = text.substring(start.start(), end);
            out.append(text, last, start.start())
                    .append(sub.length() < text.length() && isBad(sub) ? fixEncoding(sub) : sub);
            last = end;
        } while (last < text.length() && start.find(last));
        return out.append(text, last, text.length()).toString();
    }

    /** {@code fix_c1_controls}: C1 controls read as windows-1252, as browsers do (sloppily: its holes stay). */
    private static String fixC1Controls(String text) {
        return replace(C1_CONTROL, text, m -> SLOPPY_WINDOWS_1252.decode(m.group()));
    }

    /** Python's strict UTF-8 decoder on bytes [from, to): the text, or null where Python raises. */
    private static String decodeUtf8(String bytes, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int b0 = bytes.charAt(i);
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int n;
            int lo = 0x80;
            int hi = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                n = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                n = 2;
                cp = b0 & 0x0F;
                lo = b0 == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
                hi = b0 == 0xED ? 0x9F : 0xBF;   // no surrogates
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                n = 3;
                cp = b0 & 0x07;
                lo = b0 == 0xF0 ? 0x90 : 0x80;
                hi = b0 == 0xF4 ? 0x8F : 0xBF;   // nothing above U+10FFFF
            } else {
                return null;
            }
            if (i + n >= to) {
                return null;   // truncated
            }
            for (int k = 1; k <= n; k++) {
                int b = bytes.charAt(i + k);
                if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
                    return null;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            out.appendCodePoint(cp);
            i += n + 1;
        }
        return out.toString();
    }

    /**
     * ftfy's "utf-8-variants" decoder: UTF-8 that may also hold CESU-8 (a supplementary character as two 3-byte
     * surrogates) and Java's two-byte NUL (C0 80). Standard UTF-8 is decoded strictly up to each such sequence; null
     * where ftfy's codec raises. ftfy finds those sequences with a pattern whose {@code $} also matches before a final
     * newline, so "C0 \n" at the end reads as NUL, and so on; the same pattern is used here, to the same effect.
     */
    private static String decodeUtf8Variants(String bytes) {
        StringBuilder out = new StringBuilder(bytes.length());
        int n = bytes.length();
        int pos = 0;
        Matcher special = UTF8_VARIANTS_SPECIAL.matcher(bytes);
        Matcher cesu = CESU8.matcher(bytes);
        while (pos < n) {
            special.region(pos, n);
            if (!special.find()) {
                String rest = decodeUtf8(bytes, pos, n);
                return rest == null ? null : out.append(rest).toString();
            }
            int cutoff = special.start();
            if (cutoff > pos) {
                String part = decodeUtf8(bytes, pos, cutoff);
                if (part == null) {
                    return null;
                }
                out.append(part);
                pos = cutoff;
                continue;
            }
            if (bytes.charAt(pos) == 0xC0) {
                if (n - pos > 1) {
                    out.append('\0');
                    pos += 2;
                    continue;
                }
                return null;   // a final lone C0 is invalid UTF-8
            }
            // 0xED followed by A0-BF (a surrogate) or by the end: only a whole CESU-8 pair can be decoded
            if (n - pos < 6) {
                return decodeUtf8(bytes, pos, n);   // always invalid: it starts with an encoded surrogate
            }
            cesu.region(pos, n);
            if (!cesu.lookingAt()) {
                return null;   // a lone encoded surrogate
            }
            int cp = ((bytes.charAt(pos + 1) & 0x0F) << 16) + ((bytes.charAt(pos + 2) & 0x3F) << 10)
                    + ((bytes.charAt(pos + 4) & 0x0F) << 6) + (bytes.charAt(pos + 5) & 0x3F) + 0x10000;
            out.appendCodePoint(cp);
            pos += 6;
        }
        return out.toString();
    }

    // ---- the other fixers ----

    /**
     * ftfy's {@code unescape_html}: entities ending in ';' that HTML5 names (and the upper-cased forms ftfy adds for
     * Latin letters and common symbols), and numeric references that Python's {@code html.unescape} decodes whole.
     */
    static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        return replace(HTML_ENTITY, text, m -> {
            String entity = m.group();
            String named = ENTITIES.get(entity);
            if (named != null) {
                return named;
            }
            if (!entity.startsWith("&#")) {
                return entity;
            }
            // html.unescape decodes only "&#123;" or "&#x7B;" whole; anything else leaves the ';' behind, and then
            // ftfy keeps the original. So does a reference that decodes to ';' itself.
            String digits = entity.substring(2, entity.length() - 1);
            BigInteger number;
            if (DECIMAL.matcher(digits).matches()) {
                number = new BigInteger(digits);
            } else if (HEX.matcher(digits).matches()) {
                number = new BigInteger(digits.substring(1), 16);
            } else {
                return entity;
            }
            String decoded = charref(number);
            return decoded.indexOf(';') >= 0 ? entity : decoded;
        });
    }

    /** Python's {@code html} module on a numeric reference. */
    private static String charref(BigInteger number) {
        if (number.bitLength() > 31 || number.intValue() > 0x10FFFF) {
            return "\ufffd";
        }
        int n = number.intValue();
        String special = CHARREFS.get(n);
        if (special != null) {
            return special;
        }
        if (n >= 0xD800 && n <= 0xDFFF) {
            return "\ufffd";
        }
        return new String(Character.toChars(n));
    }

    private static String uncurlQuotes(String text) {
        return SINGLE_QUOTE.matcher(DOUBLE_QUOTE.matcher(text).replaceAll("\"")).replaceAll("'");
    }

    private static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /**
     * {@code fix_surrogates}: in Python a surrogate pair is two code points, which ftfy joins; a Java string holds a
     * pair as the character already, so what is left is to replace unpaired surrogates with U+FFFD.
     */
    private static String fixSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (Character.isSurrogate((char) cp) && width == 1) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('\ufffd');
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += width;
        }
        return out == null ? text : out.toString();
    }

    /** Python's {@code str.translate}: each code point in the map becomes its value (possibly nothing). */
    private static String translate(String text, Map<Integer, String> map) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String to = map.get(cp);
            if (to != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                if (to != null) {
                    out.append(to);
                } else {
                    out.appendCodePoint(cp);
                }
            }
            i += Character.charCount(cp);
        }
        return out == null ? text : out.toString();
    }

    /** Python's {@code re.sub} with a function: every match replaced by what the function makes of it. */
    private static String replace(Pattern pattern, String text, Function<Matcher, String> f) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        do {
            out.append(text, last, m.start()).append(f.apply(m));
            last = m.end();
        } while (m.find());
        return out.append(text, last, text.length()).toString();
    }

    // ---- tables ----

    /** A single-byte encoding: what each byte decodes to, and the way back. */
    private static final class Charmap {
        final String name;
        /** Bytes 00-FF decoded; -1 where the (strict) codec rejects the byte. */
        final int[] decode;
        final Map<Integer, Character> encode = new HashMap<>();

        Charmap(String name, int[] decode) {
            this.name = name;
            this.decode = decode;
            for (int b = 0; b < 256; b++) {
                if (decode[b] >= 0) {
                    encode.put(decode[b], (char) b);
                }
            }
        }

        /**
         * ftfy's {@code possible_encoding}: every character is ASCII other than U+001A, or what one of the bytes 80-FF
         * or 1A decodes to (sloppy codecs decode 1A as U+FFFD, standing for a byte that was lost).
         */
        boolean possible(String text) {
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                if (cp > 0x7F || cp == 0x1A) {
                    Character b = encode.get(cp);
                    if (b == null || (b < 0x80 && b != 0x1A)) {
                        return false;
                    }
                }
                i += Character.charCount(cp);
            }
            return true;
        }

        /** The bytes of a text for which {@link #possible} holds, one char each. */
        String encode(String text) {
            StringBuilder out = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); i++) {
                out.append(encode.get((int) text.charAt(i)).charValue());
            }
            return out.toString();
        }

        /** The text of some bytes, or null if the codec rejects one. */
        String decode(String bytes) {
            StringBuilder out = new StringBuilder(bytes.length());
            for (int i = 0; i < bytes.length(); i++) {
                int c = decode[bytes.charAt(i)];
                if (c < 0) {
                    return null;
                }
                out.append((char) c);
            }
            return out.toString();
        }
    }

    private static void load() {
        Map<String, Map<Integer, String>> maps = Map.of("LIGATURES", LIGATURES, "WIDTH", WIDTH,
                "CONTROL_CHARS", CONTROL_CHARS);
        Map<String, Charmap> charmaps = new LinkedHashMap<>();
        try (InputStream in = Ftfy.class.getResourceAsStream(TABLES)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + TABLES);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                switch (f[0]) {
                    case "re" -> RE.put(f[1], Pattern.compile(f[2], Pattern.UNIX_LINES));
                    case "charmap" -> {
                        String[] codes = f[2].split(" ");
                        int[] decode = new int[256];
                        for (int b = 0; b < 256; b++) {
                            decode[b] = codes[b].equals("-") ? -1 : Integer.parseInt(codes[b], 16);
                        }
                        charmaps.put(f[1], new Charmap(f[1], decode));
                    }
                    case "map" -> maps.get(f[1]).put(Integer.parseInt(f[2], 16), codePoints(f[3]));
                    case "entity" -> ENTITIES.put(f[1], codePoints(f[2]));
                    case "charref" -> CHARREFS.put(Integer.parseInt(f[1], 16), codePoints(f[2]));
                    case "window" -> {
                        badnessWidth = Integer.parseInt(f[2]);
                        for (String letter : f[3].split(" ")) {
                            BADNESS_ANCHOR[Integer.parseInt(letter, 16)] = true;
                        }
                    }
                    case "alphabet" -> {
                        for (String range : f[2].split(" ")) {   // lo-hi:letter
                            String[] v = range.split("[-:]");
                            int lo = Integer.parseInt(v[0], 16);
                            int hi = Integer.parseInt(v[1], 16);
                            char letter = (char) Integer.parseInt(v[2], 16);
                            for (int c = lo; c <= Math.min(hi, 0xFFFF); c++) {
                                BADNESS_BMP[c] = letter;
                            }
                            if (hi > 0xFFFF) {
                                BADNESS_ASTRAL.add(new int[] {Math.max(lo, 0x10000), hi, letter});
                            }
                        }
                    }
                    default -> throw new IllegalStateException("bad line in " + TABLES + ": " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CHARMAP_BY_NAME.putAll(charmaps);
        for (Charmap c : charmaps.values()) {
            if (!c.name.equals("windows-1252")) {   // strict windows-1252 is only the Latin-1 fallback's decoder
                CHARMAPS.add(c);
            }
        }
    }

    /** "41+301" → "A\u0301"; "-" → "". */
    private static String codePoints(String hex) {
        if (hex.equals("-")) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String h : hex.split("\\+")) {
            out.appendCodePoint(Integer.parseInt(h, 16));
        }
        return out.toString();
    }
}
