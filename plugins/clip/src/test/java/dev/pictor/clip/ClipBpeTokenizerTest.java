package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ids identical to the reference on 3,099 ASCII texts (words, numbers, contractions, HTML entities, every printable
 * character, random printable strings), from {@code src/test/node/make_bpe_fixtures.mjs} running the npm port of
 * OpenAI's tokenizer.
 */
class ClipBpeTokenizerTest {
    static final ClipBpeTokenizer CLIP = ClipBpeTokenizer.standard();

    @Test
    void theIssuesExample() {
        assertThat(CLIP.encode("a photo of a cat").ids()).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(CLIP.vocabularySize()).isEqualTo(49408);
        assertThat(CLIP.token(49406)).isEqualTo("<|startoftext|>");
        assertThat(CLIP.token(49407)).isEqualTo("<|endoftext|>");
    }

    @Test
    void idsMatchTheNpmPortOnThousandsOfAsciiTexts() throws Exception {
        assertMatches("bpe-ascii.json", 3000);
    }

    /**
     * Whole Unicode blocks (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, kana, punctuation, symbols,
     * emoji; strides through CJK and Hangul) and mixed-script sentences, against OpenAI's simple_tokenizer itself
     * with the real ftfy 6.3.1 it calls first ({@code src/test/python/make_bpe_unicode_fixtures.py}).
     */
    @Test
    void idsMatchOpenAisTokenizerOnUnicodeRanges() throws Exception {
        assertMatches("bpe-unicode.json", 6000);
    }

    /**
     * HTML character references as OpenAI's tokenizer decodes them (ftfy's unescape, then Python's html.unescape
     * twice): HTML 4's names
     * with and without ';', numeric references of every kind (0, CR, windows-1252, surrogates, out of range,
     * non-characters), near misses, in 1,500 mixed texts.
     */
    @Test
    void htmlReferencesDecodeAsPythonsUnescape() throws Exception {
        assertMatches("bpe-entities.json", 2500);
    }

    private void assertMatches(String fixture, int atLeast) throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream(fixture)) {
            cases = new ObjectMapper().readTree(in);
        }
        assertThat(cases.size()).isGreaterThan(atLeast);
        List<String> wrong = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get("ids").get(i).asInt();
            }
            int[] got = CLIP.encode(text).ids();
            if (!java.util.Arrays.equals(got, expected)) {
                wrong.add(text + " -> " + java.util.Arrays.toString(got) + " not " + java.util.Arrays.toString(expected));
            }
        }
        assertThat(wrong).as("%d of %d differ", wrong.size(), cases.size()).isEmpty();
    }

    @Test
    void decodeInvertsEncodeUpToCleaningAndWordEnds() {
        // as OpenAI's decode: every word end becomes a space ("don 't stop !")
        assertThat(CLIP.decode(CLIP.encode("don't stop!").ids())).isEqualTo("don 't stop !");
        for (String s : List.of("a photo of a cat", "café au lait", "日本の猫", "3d render, 8k", "😀 emoji")) {
            assertThat(CLIP.decode(CLIP.encode(s).ids()).replace(" ", ""))
                    .isEqualTo(ClipBpeTokenizer.clean(s).replace(" ", ""));
        }
    }

    @Test
    void emptyTextIsStartAndEndAndLongTextsKeepTheEndToken() {
        assertThat(CLIP.encode("").ids()).containsExactly(49406, 49407);
        Encoding longOne = CLIP.encode("cat ".repeat(200));
        assertThat(longOne.ids()).hasSize(77);
        assertThat(longOne.ids()[76]).isEqualTo(49407);
        assertThat(longOne.truncated()).isTrue();
        TokenBatch b = CLIP.encodeBatch(List.of("a cat", "a photo of a dog"));
        assertThat(b.inputIds().shape()).containsExactly(2, 77);
        assertThat(b.inputIds().getLong(0, 4)).isZero();
        assertThat(b.attentionMask().sumNumber().longValue()).isEqualTo(4 + 7);
    }
}
