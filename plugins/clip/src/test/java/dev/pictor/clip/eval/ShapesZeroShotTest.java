package dev.pictor.clip.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.datasets.shapes.PromptParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapesZeroShotTest {
    @Test
    void eachRelationQuestionHasExactlyOneTrueCaptionAndItIsTheKey() {
        List<ShapesZeroShot.RelationCase> cases = ShapesZeroShot.relationCases(300, 11);
        int[] truths = new int[4];
        for (ShapesZeroShot.RelationCase c : cases) {
            assertThat(c.captions()).hasSize(4);
            for (int q = 0; q < 4; q++) {
                assertThat(PromptParser.parse(c.captions().get(q)).isTrueOf(c.scene()))
                        .as("%s of %s", c.captions().get(q), c.scene()).isEqualTo(q == c.truth());
            }
            assertThat(c.image()).hasSize(3 * 32 * 32);
            truths[c.truth()]++;
        }
        // every relation is asked about, none dominates
        assertThat(java.util.Arrays.stream(truths).boxed().toList()).allSatisfy(n -> assertThat(n).isBetween(50, 100));
        assertThat(ShapesZeroShot.relationCases(300, 11).get(17).captions()).isEqualTo(cases.get(17).captions());
    }
}
