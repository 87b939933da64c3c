package dev.pictor.datasets.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.pictor.api.BadInputException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapesWorldTest {
    private final ShapesWorld world = new ShapesWorld(7, ShapesWorld.HELD_OUT, 3.0);
    private static final int N = 4000;

    @Test
    void isAPureFunctionOfSeedAndIndex() {
        ShapesWorld again = new ShapesWorld(7, ShapesWorld.HELD_OUT, 3.0);
        for (int i = 0; i < 50; i++) {
            assertThat(again.scene(i)).isEqualTo(world.scene(i));
            assertThat(again.render(again.scene(i), false, i)).isEqualTo(world.render(world.scene(i), false, i));
        }
        assertThat(new ShapesWorld(8, ShapesWorld.HELD_OUT).scene(0)).isNotEqualTo(world.scene(0));
        assertThat(world.scene(1)).isNotEqualTo(world.scene(0));
    }

    @Test
    void scenesKeepTheSpecsRules() {
        for (int i = 0; i < N; i++) {
            Scene s = world.scene(i);
            for (SceneObject o : s.objects()) {
                assertThat(o.size()).satisfiesAnyOf(x -> assertThat(x).isBetween(7, 10), x -> assertThat(x).isBetween(13, 17));
                assertThat(o.left()).isBetween(0, 32 - o.size());
                assertThat(o.top()).isBetween(0, 32 - o.size());
                assertThat(world.allows(o.colour(), o.shape())).as("held-out pair in scene %d", i).isTrue();
            }
            if (s.objects().size() == 2) {
                SceneObject a = s.objects().get(0);
                SceneObject b = s.objects().get(1);
                assertThat(a.colour()).isNotEqualTo(b.colour());
                assertThat(a.isLarge() && b.isLarge()).isFalse();
                assertThat(a.overlaps(b)).isFalse();
            }
        }
    }

    @Test
    void placedScenesDifferOnlyInWhereTheObjectIs() {
        for (long group = 0; group < 300; group++) {
            SceneObject first = null;
            for (Place place : ShapesWorld.UNAMBIGUOUS_PLACES) {
                Scene s = world.placed(group, place);
                SceneObject o = s.objects().get(0);
                assertThat(s.objects()).hasSize(1);
                assertThat(world.allows(o.colour(), o.shape())).isTrue();
                assertThat(PromptParser.parse(s.prompt()).isTrueOf(s)).as(s.prompt()).isTrue();
                assertThat(s.prompt()).endsWith(place.phrase());
                // true of this picture and of no other place of the group
                for (Place other : ShapesWorld.UNAMBIGUOUS_PLACES) {
                    assertThat(other.matches(o)).as("%s at %s", other, place).isEqualTo(other == place);
                }
                if (first == null) {
                    first = o;
                } else {
                    assertThat(List.<Object>of(o.colour(), o.shape(), o.size()))
                            .isEqualTo(List.<Object>of(first.colour(), first.shape(), first.size()));
                }
                assertThat(world.placed(group, place)).isEqualTo(s);
            }
        }
        assertThatThrownBy(() -> world.placed(0, Place.TOP_LEFT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void relatedScenesDifferOnlyInTheArrangementOfTheSameTwoObjects() {
        int subjectFirst = 0;
        for (long group = 0; group < 300; group++) {
            List<SceneObject> pair = null;
            Set<String> prompts = new HashSet<>();
            for (Relation relation : Relation.values()) {
                Scene s = world.related(group, relation);
                assertThat(s.objects()).hasSize(2);
                SceneObject a = s.objects().get(0);
                SceneObject b = s.objects().get(1);
                assertThat(a.overlaps(b)).isFalse();
                assertThat(a.colour()).isNotEqualTo(b.colour());
                assertThat(a.isLarge() && b.isLarge()).isFalse();
                assertThat(world.allows(a.colour(), a.shape()) && world.allows(b.colour(), b.shape())).isTrue();
                PromptParser.Prompt p = PromptParser.parse(s.prompt());
                assertThat(p.isTrueOf(s)).as(s.prompt()).isTrue();
                // only this relation holds from the first object to the second
                for (Relation other : Relation.values()) {
                    assertThat(other.holds(a, b)).as("%s in a %s scene", other, relation).isEqualTo(other == relation);
                }
                // named in either order: "a above b" or "b below a"
                boolean aNamedFirst = p.objects().get(0).describes(a);
                subjectFirst += aNamedFirst ? 1 : 0;
                assertThat(p.relation()).contains(aNamedFirst ? relation : relation.inverse());
                List<SceneObject> kinds = List.of(a, b);
                if (pair == null) {
                    pair = kinds;
                } else {
                    for (int i = 0; i < 2; i++) {
                        assertThat(List.<Object>of(kinds.get(i).colour(), kinds.get(i).shape(), kinds.get(i).size()))
                                .isEqualTo(List.<Object>of(pair.get(i).colour(), pair.get(i).shape(),
                                        pair.get(i).size()));
                    }
                }
                assertThat(world.related(group, relation)).isEqualTo(s);
                prompts.add(s.prompt());
            }
            assertThat(prompts).as("the group's prompts tell its pictures apart").hasSize(4);
        }
        assertThat(subjectFirst).isBetween(500, 700);
    }

    @Test
    void everyPromptParsesAndIsTrueOfItsScene() {
        for (int i = 0; i < N; i++) {
            Scene s = world.scene(i);
            assertThat(PromptParser.parse(s.prompt()).isTrueOf(s)).as("%d: %s", i, s.prompt()).isTrue();
        }
    }

    @Test
    void coversEveryAllowedPairPlaceRelationAndSize() {
        Set<ShapesWorld.Pair> pairs = new HashSet<>();
        Set<Place> places = EnumSet.noneOf(Place.class);
        Set<Relation> relations = EnumSet.noneOf(Relation.class);
        Set<Boolean> sizes = new HashSet<>();
        int unplaced = 0;
        int paraphrased = 0;
        for (int i = 0; i < N; i++) {
            Scene s = world.scene(i);
            s.objects().forEach(o -> pairs.add(new ShapesWorld.Pair(o.colour(), o.shape())));
            PromptParser.Prompt p = PromptParser.parse(s.prompt());
            p.place().ifPresent(places::add);
            p.relation().ifPresent(relations::add);
            p.objects().forEach(o -> o.large().ifPresent(sizes::add));
            if (s.objects().size() == 1 && p.place().isEmpty()) {
                unplaced++;
            }
            if (!s.caption().equals(s.prompt())) {
                paraphrased++;
            }
        }
        assertThat(pairs).hasSize(24 - 4).doesNotContainAnyElementsOf(ShapesWorld.HELD_OUT);
        assertThat(places).containsExactlyInAnyOrder(Place.values());
        assertThat(relations).containsExactlyInAnyOrder(Relation.values());
        assertThat(sizes).containsExactlyInAnyOrder(true, false);
        assertThat(unplaced).isBetween(N / 20, N / 4);
        assertThat(paraphrased).isBetween(N / 5, N / 2);
    }

    @Test
    void cleanRendersHaveExactPaletteColoursOnBlack() {
        for (int i = 0; i < 200; i++) {
            Scene s = world.scene(i);
            byte[] rgb = world.render(s, true, i);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    SceneObject owner = null;
                    for (SceneObject o : s.objects()) {
                        if (x >= o.left() && x < o.left() + o.size() && y >= o.top() && y < o.top() + o.size()) {
                            owner = o;
                        }
                    }
                    int p = 3 * (y * 32 + x);
                    int[] px = {rgb[p] & 0xFF, rgb[p + 1] & 0xFF, rgb[p + 2] & 0xFF};
                    if (owner == null) {
                        assertThat(px).as("background at (%d,%d)", x, y).containsExactly(0, 0, 0);
                    } else if (fullyInside(owner, x, y)) {
                        assertThat(px).as("inside at (%d,%d)", x, y).containsExactly(owner.colour().rgb());
                    }
                }
            }
        }
    }

    @Test
    void fillRatiosAndCentresMatchTheGeometry() {
        for (Shape shape : Shape.values()) {
            for (int size : new int[] {7, 10, 13, 17}) {
                SceneObject o = new SceneObject(shape, Colour.WHITE, size, 5, 6);
                Scene s = new Scene(java.util.List.of(o), "x", "x");
                byte[] rgb = world.render(s, true, 0);
                double mass = 0;
                double mx = 0;
                double my = 0;
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        double w = (rgb[3 * (y * 32 + x)] & 0xFF) / 240.0;
                        mass += w;
                        mx += w * (x + 0.5);
                        my += w * (y + 0.5);
                    }
                }
                double ratio = mass / (size * size);
                assertThat(ratio).as("%s %d fill", shape, size).isCloseTo(shape.fillRatio(), offset(0.02));
                assertThat(mx / mass).as("%s %d cx", shape, size).isCloseTo(o.cx(), offset(0.05));
                // a triangle's area centroid is two thirds of the way down from its apex
                double cy = shape == Shape.TRIANGLE ? o.top() + 2.0 * size / 3 : o.cy();
                assertThat(my / mass).as("%s %d cy", shape, size).isCloseTo(cy, offset(0.05));
            }
        }
    }

    @Test
    void trainingNoiseHasTheAskedSigmaAndCleanRendersHaveNone() {
        SceneObject big = new SceneObject(Shape.SQUARE, Colour.BLUE, 17, 7, 7);
        Scene s = new Scene(java.util.List.of(big), "x", "x");
        byte[] clean = world.render(s, true, 1);
        byte[] noisy = world.render(s, false, 1);
        assertThat(world.render(s, true, 2)).isEqualTo(clean);
        double sum = 0;
        double sq = 0;
        int n = 0;
        for (int y = 8; y < 23; y++) {
            for (int x = 8; x < 23; x++) {
                for (int c = 0; c < 3; c++) {
                    int p = 3 * (y * 32 + x) + c;
                    double d = (noisy[p] & 0xFF) - (clean[p] & 0xFF);
                    sum += d;
                    sq += d * d;
                    n++;
                }
            }
        }
        double mean = sum / n;
        double sigma = Math.sqrt(sq / n - mean * mean);
        assertThat(sigma).isCloseTo(3.0, offset(0.35));
        assertThat(mean).isCloseTo(0.0, offset(0.3));
        assertThatThrownBy(() -> new ShapesWorld(1, Set.of(), 4.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePromptParserFollowsTheGrammarOnly() {
        PromptParser.Prompt p = PromptParser.parse("there is a large orange square in the top right");
        assertThat(p.objects()).singleElement().satisfies(o -> {
            assertThat(o.colour()).isEqualTo(Colour.ORANGE);
            assertThat(o.shape()).isEqualTo(Shape.SQUARE);
            assertThat(o.large()).contains(true);
        });
        assertThat(p.place()).contains(Place.TOP_RIGHT);
        assertThat(PromptParser.parse("a red circle to the right of a blue triangle").relation())
                .contains(Relation.RIGHT_OF);
        assertThatThrownBy(() -> PromptParser.parse("a red ball")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("found 'ball'");
        assertThatThrownBy(() -> PromptParser.parse("a red circle next to a blue square"))
                .hasMessageContaining("'next to a blue square' is not a place or relation");
        assertThatThrownBy(() -> PromptParser.parse("a pink circle")).hasMessageContaining("expected a colour");
        assertThatThrownBy(() -> PromptParser.parse("a red circle on the left please")).isInstanceOf(BadInputException.class);
    }

    @Test
    void thirdsFollowTheSpecsBoundaries() {
        assertThat(SceneObject.third(10.66)).isZero();
        assertThat(SceneObject.third(10.67)).isEqualTo(1);
        assertThat(SceneObject.third(21.33)).isEqualTo(1);
        assertThat(SceneObject.third(21.34)).isEqualTo(2);
        SceneObject o = new SceneObject(Shape.CIRCLE, Colour.RED, 8, 0, 24);
        assertThat(Place.BOTTOM_LEFT.matches(o)).isTrue();
        assertThat(Place.LEFT.matches(o)).isTrue();
        assertThat(Place.CENTER.matches(o)).isFalse();
    }

    @Test
    void writesAContactSheetForPeopleToLookAt() {
        java.util.List<java.awt.image.BufferedImage> images = new java.util.ArrayList<>();
        java.util.List<String> captions = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            Scene s = world.scene(i);
            images.add(dev.pictor.api.image.Images.fromRgb(world.render(s, true, i), 32, 32));
            captions.add(s.prompt().replace("a picture of ", "").replace("an image of ", "")
                    .replace("a photo of ", "").replace("there is ", ""));
        }
        java.nio.file.Path sheet = java.nio.file.Path.of("target", "shapes-world-sample.png");
        dev.pictor.api.image.Png.write(sheet, dev.pictor.api.image.Images.grid(images, 4, 6, captions),
                java.util.Map.of("seed", "7", "what", "Shapes world v1, scenes 0-23, clean renders"));
        assertThat(dev.pictor.api.image.Png.read(sheet).getWidth()).isEqualTo(4 * (32 * 6 + 2) + 2);
        assertThat(dev.pictor.api.image.Png.readText(sheet)).containsEntry("seed", "7");
    }

    private static boolean fullyInside(SceneObject o, int x, int y) {
        for (double dy : new double[] {0.001, 0.999}) {
            for (double dx : new double[] {0.001, 0.999}) {
                if (!o.shape().contains(o.left(), o.top(), o.size(), x + dx, y + dy)) {
                    return false;
                }
            }
        }
        return true;
    }
}
