package dev.pictor.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {
    private static final List<String> KNOWN = List.of("word", "one-hot", "bag-of-words", "ddim", "ddpm");

    @Test
    void suggestsTyposAndPrefixes() {
        assertThat(Names.closest("wrod", KNOWN)).contains("word");
        assertThat(Names.closest("bag-of-word", KNOWN)).contains("bag-of-words");
        assertThat(Names.closest("ONE-HOT", KNOWN)).contains("one-hot");
        assertThat(Names.closest("ddmi", KNOWN)).contains("ddim");
        assertThat(Names.closest("bag", KNOWN)).contains("bag-of-words");
        assertThat(Names.closest("shapes", java.util.List.of("shapes-words", "shapes-ldm"))).contains("shapes-ldm");
    }

    @Test
    void suggestsNothingFarAway() {
        assertThat(Names.closest("unet", KNOWN)).isEmpty();
        assertThat(Names.closest("x", List.of())).isEmpty();
    }

    @Test
    void editDistanceCountsTranspositionsAsOne() {
        assertThat(Names.editDistance("abcd", "abdc")).isEqualTo(1);
        assertThat(Names.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(Names.editDistance("", "abc")).isEqualTo(3);
    }

    @Test
    void unknownMessageIsOneLine() {
        String m = BadInputException.unknown("sampler", "ddmi", List.of("ddpm", "ddim"), "see `pictor plugins`")
                .getMessage();
        assertThat(m).isEqualTo("unknown sampler 'ddmi': did you mean 'ddim'? (known: ddim, ddpm; see `pictor plugins`)");
    }
}
