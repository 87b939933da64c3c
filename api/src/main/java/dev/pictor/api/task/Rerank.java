package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.image.Images;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP reranking (the DALL·E paper, §2.5): candidates scored by the cosine between their image embedding and the
 * prompt's text embedding, from the pipeline's {@code text} and {@code image} encoders (one CLIP model, its
 * joint space). The images scored are the ones written — 8-bit pixels — not the decoder's floats.
 */
final class Rerank {
    private final LoadedPipeline pipeline;
    private final Encoder<TokenBatch> text;
    private final Encoder<INDArray> image;

    private Rerank(LoadedPipeline pipeline, Encoder<TokenBatch> text, Encoder<INDArray> image) {
        this.pipeline = pipeline;
        this.text = text;
        this.image = image;
    }

    static Rerank of(LoadedPipeline pipeline) {
        String why = "reranking scores candidates with CLIP: the pipeline needs a 'text' and an 'image' encoder of"
                + " one CLIP model (use --rerank 1, or a pipeline that has them, e.g. shapes-dalle)";
        Encoder<TokenBatch> text = Roles.encoder(pipeline, "text", TokenBatch.class, why);
        Encoder<INDArray> image = Roles.encoder(pipeline, "image", INDArray.class, why);
        if (!text.outputs().contains(Encoder.Output.PROJECTED) || !image.outputs().contains(
                Encoder.Output.PROJECTED)) {
            throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "': " + why + "; its encoders"
                    + " have no joint embedding");
        }
        return new Rerank(pipeline, text, image);
    }

    /** The prompt's unit embedding {@code [1, d]}. */
    INDArray text(String prompt) {
        TokenBatch batch = pipeline.tokenizer().encodeBatch(List.of(prompt));
        return ImageSet.unit(text.encode(batch, Set.of(Encoder.Output.PROJECTED)).get(Encoder.Output.PROJECTED));
    }

    /** Each image's cosine similarity to {@code prompt} (a {@link #text} embedding). */
    double[] scores(INDArray prompt, List<BufferedImage> images) {
        INDArray[] rows = images.stream().map(im -> Images.toTensor(im).reshape(1, 3, im.getHeight(),
                im.getWidth())).toArray(INDArray[]::new);
        INDArray v = ImageSet.unit(image.encode(Nd4j.concat(0, rows), Set.of(Encoder.Output.PROJECTED))
                .get(Encoder.Output.PROJECTED));
        return v.mmul(prompt.transpose()).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
    }
}
