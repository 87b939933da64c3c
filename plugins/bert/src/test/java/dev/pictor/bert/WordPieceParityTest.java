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
 * Our WordPiece against Hugging Face's Rust tokenizers (through DJL) on all-MiniLM-L6-v2's real tokenizer.json:
 * identical ids on thousands of varied sentences.
 */
class WordPieceParityTest {
    static final Path json = MiniLmFiles.tokenizerJson();

    @Test
    void identicalIdsToTheReferenceTokenizer() throws Exception {
        WordPieceTokenizer ours = WordPieceTokenizer.fromTokenizerJson(json);
        List<String> sentences = TestSentences.all(3000);
        List<String> mismatches = new ArrayList<>();
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(json,
                Map.of("padding", "false", "truncation", "true", "maxLength", "128"))) {
            for (String s : sentences) {
                if (s.isBlank()) {
                    continue;
                }
                long[] expected = reference.encode(s).getIds();
                int[] actual = ours.encode(s).ids();
                long[] actualLong = Arrays.stream(actual).asLongStream().toArray();
                if (!Arrays.equals(actualLong, expected)) {
                    mismatches.add(s + "\n  ours " + Arrays.toString(actual) + "\n  ref  " + Arrays.toString(expected));
                }
            }
        }
        assertThat(sentences).hasSizeGreaterThan(3000);
        assertThat(mismatches).as("sentences tokenized differently (first 5 shown)")
                .satisfies(m -> assertThat(m.subList(0, Math.min(5, m.size()))).isEmpty());
    }
}
