package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Text→image and image→image search over a folder of PNGs with a text-and-image pipeline (CLIP): the folder's
 * images and the query are embedded into the joint space and ranked by cosine similarity. The one implementation
 * behind {@code pictor search} and the DSL's {@code search index: …}.
 *
 * <pre>{@code
 * List<ImageSearch.Hit> hits = ImageSearch.run(clip, Path.of("renders"), ImageSearch.Query.text("a red circle"), 5);
 * }</pre>
 */
public final class ImageSearch {
    /** What to look for: a text or an image. */
    public record Query(String text, Path image) {
        public static Query text(String text) {
            if (text == null || text.isBlank()) {
                throw new BadInputException("the search query is empty: give the text to look for");
            }
            return new Query(text, null);
        }

        public static Query image(Path image) {
            return new Query(null, image);
        }
    }

    /** One result: the image and its cosine similarity to the query. */
    public record Hit(Path image, double score) {
    }

    private ImageSearch() {
    }

    /** The {@code top} images of {@code folder} closest to the query, best first (ties by file name). */
    public static List<Hit> run(LoadedPipeline pipeline, Path folder, Query query, int top) {
        if (top < 1) {
            throw new BadInputException("top must be at least 1, got " + top);
        }
        List<Path> images = ImageSet.folder(folder);
        Encoder<INDArray> image = Roles.encoder(pipeline, "image", INDArray.class,
                "image search needs an image encoder (and a text encoder for text queries): a CLIP pipeline");
        INDArray index = ImageSet.embed(pipeline, image, images);
        INDArray q;
        if (query.text() != null) {
            Encoder<TokenBatch> text = Roles.encoder(pipeline, "text", TokenBatch.class,
                    "text→image search needs a text encoder: a CLIP pipeline");
            Encoder.Output o = Embed.embeddingOf(pipeline.pipeline().name(), text);
            q = ImageSet.unit(text.encode(pipeline.tokenizer().encodeBatch(List.of(query.text())), Set.of(o)).get(o));
        } else {
            q = ImageSet.embed(pipeline, image, List.of(query.image()));
        }
        if (q.size(1) != index.size(1)) {
            throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "': queries give " + q.size(1)
                    + "-wide vectors and images " + index.size(1) + "-wide: they must share a space");
        }
        return rank(images, index.mmul(q.transpose()).toDoubleVector(), top);
    }

    /** Paths ordered by score, best first; equal scores in path order (the ranking every search uses). */
    public static List<Hit> rank(List<Path> images, double[] scores, int top) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a])
                : images.get(a).compareTo(images.get(b)));
        List<Hit> out = new ArrayList<>();
        for (int i = 0; i < Math.min(top, order.length); i++) {
            out.add(new Hit(images.get(order[i]), scores[order[i]]));
        }
        return out;
    }
}
