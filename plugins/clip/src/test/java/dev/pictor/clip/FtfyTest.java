package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Ftfy#fixText} against ftfy 6.3.1's {@code fix_text} on the pairs in {@code fixtures/ftfy_cases.json}
 * ({@code src/test/python/make_ftfy_fixtures.py}): ftfy's own test suite and doctests, hand-written edge cases and
 * thousands of random clean and mojibaked strings.
 */
class FtfyTest {
    @Test
    void fixTextMatchesFtfyOnEveryFixture() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/ftfy_cases.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        assertThat(cases.size()).isGreaterThan(4000);
        List<String> wrong = new ArrayList<>();
        for (JsonNode c : cases) {
            String input = c.get(0).asText();
            String expected = c.get(1).asText();
            String got = Ftfy.fixText(input);
            if (!got.equals(expected)) {
                wrong.add(escape(input) + " -> " + escape(got) + " not " + escape(expected));
            }
        }
        assertThat(wrong).as("%d of %d differ", wrong.size(), cases.size()).isEmpty();
    }

    @Test
    void ftfysDocumentedExamples() {
        assertThat(Ftfy.fixText("âœ” No problems")).isEqualTo("✔ No problems");
        assertThat(Ftfy.fixText("doesnâ€™t")).isEqualTo("doesn't");
        assertThat(Ftfy.fixText("sÃ³")).isEqualTo("só");
        assertThat(Ftfy.fixText("voilÃ le travail")).isEqualTo("voilà le travail");
        assertThat(Ftfy.fixText("&macr;\\_(ã\u0083\u0084)_/&macr;")).isEqualTo("¯\\_(ツ)_/¯");
        // ftfy's docstring shows "..." here, from before 6.0 stopped applying NFKC; ftfy 6.3.1 itself gives "…"
        assertThat(Ftfy.fixText("Broken text&hellip; it&#x2019;s ﬂubberiﬁc!"))
                .isEqualTo("Broken text… it's flubberific!");
        assertThat(Ftfy.fixText("ＬＯＵＤ　ＮＯＩＳＥＳ")).isEqualTo("LOUD NOISES");
        assertThat(Ftfy.fixText("&Jscr;ohn &HilbertSpace;ancock &checkmark;")).isEqualTo("𝒥ohn ℋancock ✓");
        assertThat(Ftfy.fixText("P&EACUTE;REZ &ntilde; &nTILDE;")).isEqualTo("PÉREZ ñ &nTILDE;");
        assertThat(Ftfy.fixText("\u001b[36;44mI'm blue\u001b[0m\r\n")).isEqualTo("I'm blue\n");
        assertThat(Ftfy.fixText("\ud83d\udca9 \udca9\ud83d")).isEqualTo("💩 \ufffd\ufffd");
    }

    @Test
    void htmlIsLeftAloneFromTheFirstLineHoldingATag() {
        assertThat(Ftfy.fixText("&amp;\n<b>&amp;</b>\n&amp;")).isEqualTo("&\n<b>&amp;</b>\n&amp;");
    }

    /** Long runs are matched in loops, not by regex recursion that would overflow the stack (ftfy's outputs). */
    @Test
    void longRunsOfMojibakeAndEscapes() {
        assertThat(Ftfy.fixText("Ã©".repeat(20000) + " \u0100\u0101 ✔ 日本")).isEqualTo("é".repeat(20000) + " Āā ✔ 日本");
        assertThat(Ftfy.fixText("\u001b[" + "1".repeat(50000) + "m text")).isEqualTo(" text");
    }

    @Test
    void plainAsciiComesBackAsItIs() {
        String s = "a photo of a cat, 3 dogs; x=1\ttab";
        assertThat(Ftfy.fixText(s)).isSameAs(s);
    }

    /** OpenAI's tokenizer sees mojibake only after ftfy has repaired it; so does Pictor's. */
    @Test
    void theTokenizerReadsMojibakeAsTheRepairedText() {
        ClipBpeTokenizer clip = ClipBpeTokenizer.standard();
        String fixed = "The café’s crème brûlée — «perfect» ✔";
        String broken = new String(fixed.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.Charset.forName("windows-1252"));
        assertThat(broken).isNotEqualTo(fixed);
        assertThat(clip.encode(broken).ids()).containsExactly(clip.encode(fixed).ids());
        assertThat(clip.encode(broken).ids())
                .containsExactly(clip.encode("The café's crème brûlée — «perfect» ✔").ids());
        assertThat(clip.encode("ﬁne ＦＵＬＬ").ids()).containsExactly(clip.encode("fine full").ids());
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c < 0xA0) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
