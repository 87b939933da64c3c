package dev.pictor.datasets.fashion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.pictor.api.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FashionMnistTest {
    @TempDir
    Path dir;

    /** Reads Debian's real files: CI installs dataset-fashion-mnist. */
    @Test
    void readsTheRealDataset() {
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        assertThat(train.size()).isEqualTo(60_000);
        assertThat(test.size()).isEqualTo(10_000);
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            perClass[train.label(i)]++;
        }
        assertThat(perClass).containsOnly(6000);
        // Published facts about the data: the first training image is an ankle boot, and the mean pixel of the
        // training set is 0.2860 of full scale.
        assertThat(train.label(0)).isEqualTo(9);
        assertThat(train.caption(0)).isEqualTo("an ankle boot");
        long sum = 0;
        for (int i = 0; i < train.size(); i++) {
            for (byte b : train.image(i)) {
                sum += b & 0xFF;
            }
        }
        assertThat(sum / (60_000.0 * 784 * 255)).isCloseTo(0.2860, offset(0.0005));
        INDArray x = train.images(0, 8);
        assertThat(x.shape()).containsExactly(8, 1, 28, 28);
        assertThat(x.minNumber().doubleValue()).isGreaterThanOrEqualTo(-1.0);
        assertThat(x.maxNumber().doubleValue()).isLessThanOrEqualTo(1.0);
        assertThat(train.labels(0, 3).toLongVector()).containsExactly(train.label(0), train.label(1), train.label(2));
    }

    private void idx(String name, int magic, int count, int dims, int extra, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        if (dims == 3) {
            out.writeInt(28);
            out.writeInt(28);
        }
        int items = count * (dims == 3 ? 784 : 1) + extra;
        for (int i = 0; i < items; i++) {
            out.writeByte(dims == 3 ? i % 256 : i % 10);
        }
        try (OutputStream f = gzip ? new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".gz")))
                : Files.newOutputStream(dir.resolve(name))) {
            f.write(bytes.toByteArray());
        }
    }

    @Test
    void readsPlainAndGzippedFilesOfAnyFolder() throws IOException {
        idx("t10k-images-idx3-ubyte", 0x803, 3, 3, 0, true);
        idx("t10k-labels-idx1-ubyte", 0x801, 3, 1, 0, false);
        FashionMnist small = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertThat(small.size()).isEqualTo(3);
        assertThat(small.label(2)).isEqualTo(2);
        assertThat(small.image(1)[0] & 0xFF).isEqualTo(784 % 256);
        assertThat(small.caption(1)).isEqualTo("a pair of trousers");
    }

    @Test
    void malformedFilesAreClearErrors() throws IOException {
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
        idx("train-images-idx3-ubyte", 0x803, 3, 3, -5, false);
        idx("train-labels-idx1-ubyte", 0x801, 3, 1, 0, false);
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN)).hasMessageContaining("truncated");
        idx("train-images-idx3-ubyte", 0x801, 3, 3, 0, false);
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN))
                .hasMessageContaining("magic number 0x00000801, expected 0x00000803");
        idx("train-images-idx3-ubyte", 0x803, 2, 3, 0, false);
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN))
                .hasMessageContaining("2 images but 3 labels");
        idx("train-images-idx3-ubyte", 0x803, 3, 3, 4, false);
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN))
                .hasMessageContaining("bytes after its 3 items");
    }
}
