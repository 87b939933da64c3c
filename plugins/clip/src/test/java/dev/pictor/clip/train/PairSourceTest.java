package dev.pictor.clip.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.datasets.shapes.Relation;
import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.ShapesWorld;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairSourceTest {
    private final ShapesWorld world = new ShapesWorld(1, ShapesWorld.HELD_OUT, 3.0);

    /** The object phrase of a grammar prompt or paraphrase: what a place group's captions share. */
    private static boolean namesAPlace(String caption) {
        return caption.contains("left") || caption.contains("right") || caption.contains("top")
                || caption.contains("bottom") || caption.contains("center") || caption.contains("centre") || caption.contains("middle");
    }

    @Test
    void placeGroupsShowOneObjectAtFourPlaces() {
        PairSource plain = PairSource.shapes(world);
        PairSource placed = PairSource.shapes(world, 0.5);
        int groups = 0;
        for (long group = 0; group < 200; group++) {
            List<String> captions = new ArrayList<>();
            boolean differs = false;
            for (long i = 4 * group; i < 4 * group + 4; i++) {
                captions.add(placed.pair(i).caption());
                differs |= !placed.pair(i).caption().equals(plain.pair(i).caption());
            }
            if (differs) {
                groups++;
                assertThat(captions).allMatch(PairSourceTest::namesAPlace);
                assertThat(captions.stream().distinct().count()).as("%s", captions).isEqualTo(4);
            }
        }
        assertThat(groups).isBetween(70, 130);   // about half of 200
        assertThat(PairSource.shapes(world, 0.5).pair(123).caption()).isEqualTo(placed.pair(123).caption());
        assertThatThrownBy(() -> PairSource.shapes(world, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void relationGroupsShowTheSameTwoObjectsInTheFourRelations() {
        PairSource placesOnly = PairSource.shapes(world, 0.25);
        PairSource both = PairSource.shapes(world, 0.25, 0.5);
        int related = 0;
        int placed = 0;
        for (long group = 0; group < 200; group++) {
            // odd pairs carry the scene's grammar prompt
            boolean isRelated = both.pair(4 * group + 1).caption()
                    .equals(world.related(group, Relation.values()[1]).prompt());
            boolean isPlaced = false;
            for (long i = 4 * group; i < 4 * group + 4; i++) {
                isPlaced |= !placesOnly.pair(i).caption().equals(PairSource.shapes(world).pair(i).caption());
            }
            if (isRelated) {
                related++;
                assertThat(isPlaced).isFalse();
                for (int k = 0; k < 4; k++) {
                    Scene s = world.related(group, Relation.values()[k]);
                    PairSource.Pair p = both.pair(4 * group + k);
                    assertThat(p.caption()).isEqualTo((k & 1) == 0 ? s.caption() : s.prompt());
                    assertThat(p.image()).isEqualTo(PairSource.chw(world.render(s, false, 4 * group + k),
                            ShapesWorld.SIZE));
                }
            } else {
                placed += isPlaced ? 1 : 0;
                // place groups where they were, the world's own scenes elsewhere
                for (long i = 4 * group; i < 4 * group + 4; i++) {
                    assertThat(both.pair(i).caption()).isEqualTo(placesOnly.pair(i).caption());
                    assertThat(both.pair(i).image()).isEqualTo(placesOnly.pair(i).image());
                }
            }
        }
        assertThat(related).isBetween(70, 130);   // about half of 200
        assertThat(placed).isBetween(25, 80);      // the place groups of shapes(world, 0.25) are where they were
        assertThatThrownBy(() -> PairSource.shapes(world, 0.6, 0.6)).isInstanceOf(IllegalArgumentException.class);
    }
}
