package dev.pictor.datasets.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pixel checker on the world's own clean renders: it must call their prompts right, and the same prompts with
 * one word changed wrong — otherwise it could not tell a good generator from a bad one.
 */
class ShapesCheckerTest {
    @Test
    void judgesTheWorldsOwnRendersRightAndAlteredPromptsWrong() {
        ShapesWorld world = new ShapesWorld(123, Set.of());
        int n = 600;
        int right = 0;
        int wrongColour = 0;
        int wrongShape = 0;
        int recolourable = 0;
        int reshapeable = 0;
        for (int i = 0; i < n; i++) {
            Scene s = world.scene(i);
            byte[] rgb = world.render(s, true, i);
            if (ShapesChecker.judge(rgb, s.prompt()).correct()) {
                right++;
            }
            SceneObject o = s.objects().get(0);
            Colour other = Colour.values()[(o.colour().ordinal() + 1) % Colour.values().length];
            String recoloured = s.prompt().replaceFirst("\\b" + o.colour().word() + "\\b", other.word());
            boolean taken = s.objects().stream().anyMatch(x -> x.colour() == other);
            if (!taken) {
                recolourable++;
                wrongColour += ShapesChecker.judge(rgb, recoloured).correct() ? 0 : 1;
            }
            Shape otherShape = Shape.values()[(o.shape().ordinal() + 1) % Shape.values().length];
            String reshaped = s.prompt().replaceFirst("\\b" + o.colour().word() + " " + o.shape().word() + "\\b",
                    o.colour().word() + " " + otherShape.word());
            if (!reshaped.equals(s.prompt())) {
                reshapeable++;
                wrongShape += ShapesChecker.judge(rgb, reshaped).correct() ? 0 : 1;
            }
        }
        assertThat(right).as("clean renders judged right").isGreaterThanOrEqualTo(n * 98 / 100);
        assertThat(wrongColour).as("recoloured prompts judged wrong, of " + recolourable)
                .isGreaterThanOrEqualTo(recolourable * 98 / 100);
        assertThat(wrongShape).as("reshaped prompts judged wrong, of " + reshapeable)
                .isGreaterThanOrEqualTo(reshapeable * 95 / 100);
        assertThat(recolourable + reshapeable).isGreaterThan(n);
    }

    @Test
    void aBlackPictureHasNoObjects() {
        assertThat(ShapesChecker.detect(new byte[32 * 32 * 3])).isEmpty();
        assertThat(ShapesChecker.judge(new byte[32 * 32 * 3], "a red circle").correct()).isFalse();
    }
}
