package dev.pictor.api.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class PngTest {
    @TempDir
    Path dir;

    @Test
    void writesPixelsAndTextMetadataThatReadBack() {
        byte[] rgb = new byte[2 * 2 * 3];
        rgb[0] = (byte) 230;
        rgb[1] = 25;
        rgb[2] = 25;
        rgb[11] = (byte) 235;
        BufferedImage img = Images.fromRgb(rgb, 2, 2);
        Path file = dir.resolve("out/0.png");
        Png.write(file, img, Map.of("prompt", "a red circle", "seed", "7", "pipeline", "shapes-ldm"));
        BufferedImage back = Png.read(file);
        assertThat(back.getRGB(0, 0) & 0xFFFFFF).isEqualTo(230 << 16 | 25 << 8 | 25);
        assertThat(back.getRGB(1, 1) & 0xFFFFFF).isEqualTo(235);
        assertThat(Images.toRgb(back)).containsExactly(rgb);
        assertThat(Png.readText(file)).containsEntry("prompt", "a red circle").containsEntry("seed", "7")
                .containsEntry("pipeline", "shapes-ldm");
    }

    @Test
    void tensorsMapMinusOneToBlackAndOneToWhite() {
        var t = Nd4j.createFromArray(new float[] {-1f, 1f, 0f, 2f}).reshape(1, 2, 2);
        BufferedImage img = Images.fromTensor(t);
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isZero();
        assertThat(img.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThat(img.getRGB(0, 1) & 0xFF).isEqualTo(128);
        assertThat(img.getRGB(1, 1) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThatThrownBy(() -> Images.fromTensor(Nd4j.zeros(2, 2, 2))).isInstanceOf(BadInputException.class);
    }

    @Test
    void gridsTileAndScale() {
        BufferedImage a = Images.fromRgb(new byte[4 * 4 * 3], 4, 4);
        BufferedImage g = Images.grid(List.of(a, a, a), 2, 3, List.of("x", "y", "z"));
        assertThat(g.getWidth()).isEqualTo(2 * (12 + 2) + 2);
        assertThat(g.getHeight()).isEqualTo(2 * (12 + 14 + 2) + 2);
    }

    @Test
    void notAnImageIsABadInput() throws Exception {
        Path f = Files.writeString(dir.resolve("x.png"), "text");
        assertThatThrownBy(() -> Png.read(f)).isInstanceOf(BadInputException.class).hasMessageContaining("not an image");
    }
}
