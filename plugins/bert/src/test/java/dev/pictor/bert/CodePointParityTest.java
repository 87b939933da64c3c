package dev.pictor.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every code point of many Unicode blocks (controls, Latin, Greek, Cyrillic, Arabic, Devanagari, kana, CJK,
 * Hangul, emoji, punctuation, full-width, private use, tags, math letters, unassigned gaps), alone between two
 * words, tokenizes exactly as the reference does.
 */
class CodePointParityTest {
    private static final int[][] RANGES = {{0x0, 0x24F}, {0x370, 0x4FF}, {0x600, 0x6FF}, {0x900, 0x97F},
        {0x2000, 0x206F}, {0x2FF0, 0x30FF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0xE000, 0xE0FF}, {0xFF00, 0xFFFF},
        {0x1D400, 0x1D4FF}, {0x1F300, 0x1F64F}, {0x1F900, 0x1FAFF}, {0xE0000, 0xE007F}};

    @Test
    void everyCodePointTokenizesAsTheReference() throws Exception {
        Path json = MiniLmFiles.tokenizerJson();
        WordPieceTokenizer ours = WordPieceTokenizer.fromTokenizerJson(json);
        List<String> differ = new ArrayList<>();
        int checked = 0;
        try (HuggingFaceTokenizer ref = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false"))) {
            for (int[] r : RANGES) {
                for (int cp = r[0]; cp <= r[1]; cp++) {
                    if (Character.getType(cp) == Character.SURROGATE) {
                        continue;
                    }
                    String s = "a " + new String(Character.toChars(cp)) + " b";
                    long[] expected = ref.encode(s).getIds();
                    long[] actual = Arrays.stream(ours.encode(s).ids()).asLongStream().toArray();
                    checked++;
                    if (!Arrays.equals(actual, expected)) {
                        differ.add(String.format("U+%04X ours %s ref %s", cp, Arrays.toString(actual),
                                Arrays.toString(expected)));
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(36_000);
        assertThat(differ).isEmpty();
    }
}
