package dev.pictor.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class TokenBatchTest {
    private static Encoding enc(int... ids) {
        int[] mask = new int[ids.length];
        java.util.Arrays.fill(mask, 1);
        return new Encoding(ids, java.util.Arrays.stream(ids).mapToObj(String::valueOf).toList(), mask, false);
    }

    @Test
    void padsToTheLongestRowWithThePadId() {
        TokenBatch b = TokenBatch.pad(List.of(enc(5, 6, 7), enc(8)), 9, 0, 10);
        assertThat(b.inputIds().dataType()).isEqualTo(DataType.INT64);
        assertThat(b.inputIds().toLongMatrix()).isEqualTo(new long[][] {{5, 6, 7}, {8, 9, 9}});
        assertThat(b.attentionMask().toLongMatrix()).isEqualTo(new long[][] {{1, 1, 1}, {1, 0, 0}});
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.length()).isEqualTo(3);
    }

    @Test
    void padsOrCutsToAFixedLength() {
        assertThat(TokenBatch.pad(List.of(enc(1)), 0, 4, 10).inputIds().toLongMatrix())
                .isEqualTo(new long[][] {{1, 0, 0, 0}});
        TokenBatch cut = TokenBatch.pad(List.of(enc(1, 2, 3), enc(4)), 0, 2, 10);
        assertThat(cut.inputIds().toLongMatrix()).isEqualTo(new long[][] {{1, 2}, {4, 0}});
        assertThat(cut.encodings().get(0).truncated()).as("tokens dropped are reported").isTrue();
        assertThat(cut.encodings().get(0).ids()).containsExactly(1, 2);
        assertThat(cut.encodings().get(1).truncated()).isFalse();
    }

    @Test
    void keepsTheEncodingsOwnMask() {
        Encoding partly = new Encoding(new int[] {1, 2}, List.of("a", "b"), new int[] {1, 0}, false);
        assertThat(TokenBatch.pad(List.of(partly), 0, 0, 3).attentionMask().toLongMatrix())
                .isEqualTo(new long[][] {{1, 0}});
    }

    @Test
    void flatArraysIgnoreLayout() {
        TokenBatch b = TokenBatch.pad(List.of(enc(5, 6), enc(7, 8)), 0, 0, 10);
        TokenBatch f = new TokenBatch(b.inputIds().dup('f'), b.attentionMask().dup('f'), b.encodings(), 10);
        assertThat(f.flatIds()).containsExactly(5, 6, 7, 8);
    }

    @Test
    void anEmptyBatchIsABadInput() {
        assertThatThrownBy(() -> TokenBatch.pad(List.of(), 0, 0, 3)).isInstanceOf(BadInputException.class);
    }
}
