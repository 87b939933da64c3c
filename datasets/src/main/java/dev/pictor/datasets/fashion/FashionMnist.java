package dev.pictor.datasets.fashion;

import dev.pictor.api.BadInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fashion-MNIST (Zalando's 28 × 28 grey clothing images, 10 classes) read from the IDX files of Debian's
 * {@code dataset-fashion-mnist} package, with a caption per image from its class name.
 *
 * <p>The folder is {@code /usr/share/datasets/fashion-mnist} unless the system property
 * {@code pictor.fashion-mnist} or the environment variable {@code PICTOR_FASHION_MNIST} names another; files may
 * be gzipped ({@code train-images-idx3-ubyte.gz}) or not. A missing or malformed file is a one-line
 * {@link BadInputException} naming the file and the fix.
 *
 * <pre>{@code
 * FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
 * train.size();                        // 60000
 * train.caption(0);                    // "an ankle boot"
 * INDArray x = train.images(0, 64);    // [64, 1, 28, 28] FLOAT in [-1, 1]
 * }</pre>
 */
public final class FashionMnist {
    /** Where Debian's package puts the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Class names, by label. */
    public static final List<String> CLASS_NAMES = List.of("t-shirt", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle boot");
    private static final List<String> CAPTIONS = List.of("a t-shirt", "a pair of trousers", "a pullover", "a dress",
            "a coat", "a sandal", "a shirt", "a sneaker", "a bag", "an ankle boot");
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The two splits and their file prefixes. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private final byte[] pixels;
    private final byte[] labels;

    private FashionMnist(byte[] pixels, byte[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The folder to read from: property, environment, else Debian's. */
    public static Path defaultDirectory() {
        String prop = System.getProperty("pictor.fashion-mnist");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("PICTOR_FASHION_MNIST");
        return env != null && !env.isBlank() ? Path.of(env) : DEBIAN_DIR;
    }

    /** Loads a split from the default folder. */
    public static FashionMnist load(Split split) {
        return load(defaultDirectory(), split);
    }

    /** Loads a split from {@code dir}. */
    public static FashionMnist load(Path dir, Split split) {
        Path images = find(dir, split.prefix + "-images-idx3-ubyte");
        Path labels = find(dir, split.prefix + "-labels-idx1-ubyte");
        byte[] pixels = read(images, IMAGES_MAGIC, true);
        byte[] labelBytes = read(labels, LABELS_MAGIC, false);
        if (pixels.length / (SIDE * SIDE) != labelBytes.length) {
            throw new BadInputException("Fashion-MNIST " + split + ": " + pixels.length / (SIDE * SIDE) + " images but "
                    + labelBytes.length + " labels in " + dir + ": reinstall dataset-fashion-mnist");
        }
        for (int i = 0; i < labelBytes.length; i++) {
            if (labelBytes[i] < 0 || labelBytes[i] >= CLASS_NAMES.size()) {
                throw new BadInputException("Fashion-MNIST label " + labelBytes[i] + " at " + i + " in " + labels
                        + " is not a class (0-9): the file is corrupt; reinstall dataset-fashion-mnist");
            }
        }
        return new FashionMnist(pixels, labelBytes);
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new BadInputException("Fashion-MNIST file " + base + "(.gz) not found in " + dir + ": install Debian's"
                + " package (apt-get install dataset-fashion-mnist) or point -Dpictor.fashion-mnist at the folder");
    }

    /** Reads one IDX file of unsigned bytes, checking magic, dimensions and length. */
    private static byte[] read(Path file, int magic, boolean images) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16)
                     : new BufferedInputStream(raw, 1 << 16);
             DataInputStream data = new DataInputStream(in)) {
            int found = data.readInt();
            if (found != magic) {
                throw bad(file, String.format("magic number 0x%08X, expected 0x%08X", found, magic));
            }
            int count = data.readInt();
            if (count < 0 || count > 10_000_000) {
                throw bad(file, "item count " + count + " is not plausible");
            }
            if (images) {
                int rows = data.readInt();
                int cols = data.readInt();
                if (rows != SIDE || cols != SIDE) {
                    throw bad(file, "images are " + rows + " x " + cols + ", expected 28 x 28");
                }
            }
            int length = Math.multiplyExact(count, images ? SIDE * SIDE : 1);
            byte[] bytes = new byte[length];
            data.readFully(bytes);
            if (data.read() != -1) {
                throw bad(file, "has bytes after its " + count + " items");
            }
            return bytes;
        } catch (EOFException e) {
            throw bad(file, "is truncated");
        } catch (IOException e) {
            throw bad(file, "cannot be read (" + e.getMessage() + ")");
        }
    }

    private static BadInputException bad(Path file, String problem) {
        return new BadInputException("Fashion-MNIST file " + file + " " + problem
                + ": reinstall dataset-fashion-mnist");
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** The class (0–9) of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** A caption for image {@code i}: its class name with an article ("an ankle boot"). */
    public String caption(int i) {
        return CAPTIONS.get(labels[i]);
    }

    /** The caption of a class. */
    public static String captionOf(int label) {
        return CAPTIONS.get(label);
    }

    /** The 784 grey values (0 = background, 255 = ink) of image {@code i}, row-major. */
    public byte[] image(int i) {
        byte[] out = new byte[SIDE * SIDE];
        System.arraycopy(pixels, i * SIDE * SIDE, out, 0, out.length);
        return out;
    }

    /** Images {@code from .. from+count} as {@code [count, 1, 28, 28]} FLOAT scaled to [-1, 1]. */
    public INDArray images(int from, int count) {
        if (from < 0 || count < 1 || from + count > size()) {
            throw new BadInputException("images " + from + ".." + (from + count) + " are outside 0.." + size());
        }
        float[] values = new float[count * SIDE * SIDE];
        int base = from * SIDE * SIDE;
        for (int k = 0; k < values.length; k++) {
            values[k] = (pixels[base + k] & 0xFF) / 127.5f - 1f;
        }
        return Nd4j.create(values, new long[] {count, 1, SIDE, SIDE}, 'c').castTo(DataType.FLOAT);
    }

    /** Labels {@code from .. from+count} as a {@code [count]} INT64 array. */
    public INDArray labels(int from, int count) {
        long[] out = new long[count];
        for (int k = 0; k < count; k++) {
            out[k] = labels[from + k];
        }
        return Nd4j.createFromArray(out);
    }
}
