package dev.pictor.bert;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Varied test sentences: hand-picked Unicode edge cases and seeded random mixtures of scripts and symbols. */
final class TestSentences {
    static final List<String> EDGE_CASES = List.of(
            "Hello, world!", "UNAFFABLE", "unaffable", "He's 100% sure -- isn't he?", "e-mail: a.b@c.de",
            "https://example.com/path?q=1&r=2#frag", "1,234,567.89 and 3.14159", "Ünïcödé àccénts çà et là",
            "Straße, Maße, Fuß", "ﬁne ﬂour (ligatures)", "ΣΊΣΥΦΟΣ σίσυφος ΟΔΟΣ", "İstanbul ıi İI", "Ǆemal ǅ ǆ",
            "日本語のテキストと漢字", "中文字符测试，标点。", "한국어 문장입니다", "Привет, мир! Ёлка", "مرحبا بالعالم",
            "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "emoji 😀🎉👍🏽 and 👨‍👩‍👧 family", "tab\there\nnewline\r\nend",
            "zero\u200bwidth\u200cjoiners\u200d", "soft\u00adhyphen", "control\u0007bell\u0000nul", "replacement \uFFFD char",
            "ｆｕｌｌｗｉｄｔｈ　ｓｐａｃｅ", "non\u00a0breaking\u2003spaces", "combining e\u0301 a\u0300 o\u0308",
            "a".repeat(150), "supercalifragilisticexpialidocious", "C++ & C# vs. Java/Kotlin; (parens) [brackets]",
            "\"quoted\" 'single' «guillemets» „low“", "ellipsis… em—dash en–dash", "$5 €10 £3 ¥100 ₹50",
            "math: x² + y³ = z⁴ ≤ ∞ ± √2", "private\uE000use", "🇫🇷 flags 🇯🇵", "  leading and trailing  ",
            "MiXeD CaSe WoRdS", "don't can't won't", "snake_case_words and kebab-case-words", "12345678901234567890",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z", "Ⅻ roman ⅻ numerals", "Ωhm Å Kelvin K",
            "\uD835\uDC00\uD835\uDC01 math bold", "…!?!?...", "x".repeat(101), "word " .repeat(200));

    private static final String[] POOL = {"the", "a", "red", "circle", "dog", "running", "quickly", "unbelievable",
        "tokenization", "Ångström", "naïve", "café", "résumé", "中国", "東京", "한국", "Москва", "Αθήνα", "القاهرة",
        "😀", "🚀", "#hashtag", "@user", "3.5kg", "U.S.A.", "e.g.", "it's", "—", "...", "(", ")", "\"", "'", "!!",
        "?", ":", ";", "/", "\\", "&", "%", "$", "€", "x²", "ﬁ", "İ", "ß", "ΣΑΣ", "\t", "\u00a0", "\u200b", "\u0301",
        "Straße", "NASA", "iPhone", "COVID-19", "2024-01-01", "12:30", "www.example.org", "foo_bar", "ALLCAPS"};

    private TestSentences() {
    }

    /** The edge cases plus {@code generated} random sentences from a fixed seed. */
    static List<String> all(int generated) {
        List<String> out = new ArrayList<>(EDGE_CASES);
        Random r = new Random(20261126);
        for (int i = 0; i < generated; i++) {
            StringBuilder sb = new StringBuilder();
            int words = 1 + r.nextInt(25);
            for (int w = 0; w < words; w++) {
                if (r.nextInt(12) == 0) {
                    sb.appendCodePoint(randomCodePoint(r));
                } else {
                    sb.append(POOL[r.nextInt(POOL.length)]);
                }
                sb.append(r.nextInt(6) == 0 ? "" : " ");
            }
            String s = sb.toString();
            out.add(r.nextInt(4) == 0 ? s.toUpperCase(java.util.Locale.ROOT) : s);
        }
        return out;
    }

    private static int randomCodePoint(Random r) {
        int[][] ranges = {{0x20, 0x7E}, {0xA0, 0x24F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x600, 0x6FF},
            {0x900, 0x97F}, {0x3040, 0x30FF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0x1F300, 0x1F64F},
            {0x2000, 0x206F}, {0xFF00, 0xFFEF}};
        int[] range = ranges[r.nextInt(ranges.length)];
        return range[0] + r.nextInt(range[1] - range[0] + 1);
    }
}
