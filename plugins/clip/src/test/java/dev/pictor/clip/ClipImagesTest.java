package dev.pictor.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClipImagesTest {
    @Test
    void anImageOfTheModelsSizeIsOnlyNormalised() {
        INDArray white = Nd4j.ones(DataType.FLOAT, 1, 3, 8, 8);   // 1 in [-1, 1] is 255
        INDArray out = ClipImages.prepare(white, 8);
        for (int c = 0; c < 3; c++) {
            double expected = (1 - ClipImages.MEAN[c]) / ClipImages.STD[c];
            assertThat(out.getDouble(0, c, 3, 5)).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void otherSizesAreResizedByTheShorterSideAndCentreCropped() {
        // a 16×32 image: left half black, right half white → shorter side 8: 8×16, centre crop 8×8 holds the edge
        INDArray img = Nd4j.zeros(DataType.FLOAT, 1, 3, 16, 32).subi(1);
        img.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(16, 32))
                .assign(1);
        INDArray out = ClipImages.prepare(img, 8);
        assertThat(out.shape()).containsExactly(1, 3, 8, 8);
        double black = (0 - ClipImages.MEAN[0]) / ClipImages.STD[0];
        double white = (1 - ClipImages.MEAN[0]) / ClipImages.STD[0];
        assertThat(out.getDouble(0, 0, 4, 0)).isCloseTo(black, within(0.05));
        assertThat(out.getDouble(0, 0, 4, 7)).isCloseTo(white, within(0.05));
        // a constant image stays constant through the filter (weights sum to one)
        INDArray grey = ClipImages.prepare(Nd4j.zeros(DataType.FLOAT, 1, 3, 20, 30), 8);
        assertThat(grey.getDouble(0, 1, 2, 3)).isCloseTo((0.5 - ClipImages.MEAN[1]) / ClipImages.STD[1], within(1e-5));
    }

    @Test
    void aGreyOrMisshapenTensorIsRefused() {
        assertThatThrownBy(() -> ClipImages.prepare(Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8), 8))
                .hasMessageContaining("expected RGB images [batch, 3, height, width]");
    }
}
