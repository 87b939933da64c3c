package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.image.Images;
import dev.pictor.api.image.Png;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Image files as encoder input: listing a folder, reading PNGs, embedding them as unit vectors. */
public final class ImageSet {
    /** Images embedded per encoder call. */
    static final int BATCH = 32;

    private ImageSet() {
    }

    /** The PNG files of a folder (not its sub-folders), by name; an empty or missing folder is an error. */
    public static List<Path> folder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("the image folder " + dir + " does not exist (or is not a folder)");
        }
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException("cannot list " + dir + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new BadInputException("the image folder " + dir + " holds no .png images: add some");
        }
        return out;
    }

    /**
     * Unit vectors {@code [N, d]} of the images, in order: the encoder's embedding output, images of one size
     * batched together (the encoder brings every size to its own).
     */
    public static INDArray embed(LoadedPipeline pipeline, Encoder<INDArray> encoder, List<Path> images) {
        Encoder.Output o = Embed.embeddingOf(pipeline.pipeline().name(), encoder);
        INDArray[] rows = new INDArray[images.size()];
        Map<String, List<Integer>> bySize = new LinkedHashMap<>();
        List<INDArray> tensors = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Path p = images.get(i);
            if (!Files.isRegularFile(p)) {
                throw new BadInputException("image not found: " + p);
            }
            BufferedImage im = Png.read(p);
            tensors.add(Images.toTensor(im).reshape(1, 3, im.getHeight(), im.getWidth()));
            bySize.computeIfAbsent(im.getWidth() + "x" + im.getHeight(), k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> group : bySize.values()) {
            for (int from = 0; from < group.size(); from += BATCH) {
                List<Integer> part = group.subList(from, Math.min(group.size(), from + BATCH));
                INDArray batch = Nd4j.concat(0, part.stream().map(tensors::get).toArray(INDArray[]::new));
                INDArray v = unit(encoder.encode(batch, Set.of(o)).get(o));
                for (int k = 0; k < part.size(); k++) {
                    rows[part.get(k)] = v.getRow(k).dup().reshape(1, v.size(1));
                }
            }
        }
        return Nd4j.concat(0, rows);
    }

    /** Rows scaled to unit length (float32). */
    public static INDArray unit(INDArray v) {
        INDArray f = v.castTo(DataType.FLOAT);
        INDArray norms = f.norm2(1).reshape(f.size(0), 1);
        return f.div(org.nd4j.linalg.ops.transforms.Transforms.max(norms, 1e-12, false));
    }
}
