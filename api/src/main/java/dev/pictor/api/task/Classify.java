package dev.pictor.api.task;

import dev.pictor.api.BadInputException;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The zero-shot {@code classify} task, written once (CLIP's way): each label becomes a prompt through a template
 * ({@code "a photo of a {}"}), the pipeline's {@code text} encoder embeds the prompts and its {@code image} encoder
 * the images, both in their joint space (projected, else pooled), unit length; the probabilities are the softmax of
 * {@code scale ×} cosine similarity over the labels. {@code pictor classify}, the DSL's {@code classify} and Java
 * call this.
 *
 * <pre>{@code
 * List<Classify.Scores> s = Classify.run(clip, List.of(Path.of("cat.png")), List.of("cat", "dog"),
 *         Classify.DEFAULT_TEMPLATE, Classify.DEFAULT_SCALE);
 * s.get(0).best();   // "cat"
 * }</pre>
 */
public final class Classify {
    /** CLIP's zero-shot prompt. */
    public static final String DEFAULT_TEMPLATE = "a photo of a {}";
    /**
     * The similarity scale: CLIP learns it as {@code exp(logit_scale)}, clamped at 100, where trained models end;
     * a pipeline whose model learned another passes its own.
     */
    public static final double DEFAULT_SCALE = 100;
    /** The option names. */
    public static final List<String> OPTIONS = List.of("labels", "images", "template", "templates", "scale");

    private Classify() {
    }

    /**
     * One image's result.
     *
     * @param image         the file
     * @param labels        the labels, in the order given
     * @param probabilities one per label, summing to 1
     */
    public record Scores(Path image, List<String> labels, double[] probabilities) {
        /** The most probable label (the first on ties). */
        public String best() {
            return labels.get(bestIndex());
        }

        public double bestProbability() {
            return probabilities[bestIndex()];
        }

        private int bestIndex() {
            int best = 0;
            for (int i = 1; i < probabilities.length; i++) {
                if (probabilities[i] > probabilities[best]) {
                    best = i;
                }
            }
            return best;
        }
    }

    /** Classifies each image among the labels, with one prompt template. */
    public static List<Scores> run(LoadedPipeline pipeline, List<Path> images, List<String> labels, String template,
            double scale) {
        return run(pipeline, images, labels, List.of(template), scale, w -> { });
    }

    /**
     * Classifies each image among the labels. With several templates, each label's text vector is the normalised
     * mean of its prompts' unit vectors (CLIP's prompt ensembling). Images may differ in size: the image encoder
     * brings each to its own (CLIP resizes and centre-crops). A prompt longer than the tokenizer's context is
     * truncated, and {@code warn} says which.
     */
    public static List<Scores> run(LoadedPipeline pipeline, List<Path> images, List<String> labels,
            List<String> templates, double scale, java.util.function.Consumer<String> warn) {
        List<String> distinct = checkLabels(labels);
        if (templates.isEmpty()) {
            throw new BadInputException("classify needs at least one template, e.g. '" + DEFAULT_TEMPLATE + "'");
        }
        for (String template : templates) {
            if (!template.contains("{}")) {
                throw new BadInputException("the template '" + template + "' has no {} for the label: e.g. '"
                        + DEFAULT_TEMPLATE + "'");
            }
        }
        if (images.isEmpty()) {
            throw new BadInputException("classify needs at least one image");
        }
        if (!(scale > 0)) {
            throw new BadInputException("the similarity scale must be positive, got " + scale);
        }
        Encoder<TokenBatch> text = Roles.encoder(pipeline, "text", TokenBatch.class,
                "zero-shot classification needs a text and an image encoder (a CLIP pipeline)");
        Encoder<INDArray> image = Roles.encoder(pipeline, "image", INDArray.class,
                "zero-shot classification needs a text and an image encoder (a CLIP pipeline)");
        INDArray t = labelVectors(pipeline, text, distinct, templates, warn);
        INDArray x = ImageSet.embed(pipeline, image, images);
        if (t.size(1) != x.size(1)) {
            throw new BadInputException("pipeline '" + pipeline.pipeline().name() + "': the text encoder gives "
                    + t.size(1) + "-wide vectors and the image encoder " + x.size(1) + "-wide: they must share a space");
        }
        double[][] logits = x.mmul(t.transpose()).muli(scale).castTo(DataType.DOUBLE).toDoubleMatrix();
        List<Scores> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(new Scores(images.get(i), distinct, softmax(logits[i])));
        }
        return out;
    }

    /** One unit vector per label: the normalised mean of its prompts' unit vectors over the templates. */
    static INDArray labelVectors(LoadedPipeline pipeline, Encoder<TokenBatch> text, List<String> labels,
            List<String> templates, java.util.function.Consumer<String> warn) {
        INDArray sum = null;
        for (String template : templates) {
            List<String> prompts = labels.stream().map(l -> template.replace("{}", l)).toList();
            TokenBatch batch = pipeline.tokenizer().encodeBatch(prompts);
            for (int i = 0; i < prompts.size(); i++) {
                if (batch.encodings().get(i).truncated()) {
                    warn.accept("the prompt '" + prompts.get(i) + "' is longer than the tokenizer's context and was"
                            + " truncated");
                }
            }
            INDArray v = ImageSet.unit(embed(text, batch, pipeline));
            sum = sum == null ? v : sum.addi(v);
        }
        return ImageSet.unit(sum);
    }
    private static List<String> checkLabels(List<String> labels) {
        if (labels.size() < 2) {
            throw new BadInputException("classify needs at least two labels, got " + labels.size());
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String l : labels) {
            if (l.isBlank()) {
                throw new BadInputException("a label is empty: give each label a name");
            }
            if (!seen.add(l.strip())) {
                throw new BadInputException("label '" + l.strip() + "' is given twice");
            }
        }
        return List.copyOf(seen);
    }

    private static <I> INDArray embed(Encoder<I> encoder, I batch, LoadedPipeline pipeline) {
        Encoder.Output o = Embed.embeddingOf(pipeline.pipeline().name(), encoder);
        return encoder.encode(batch, Set.of(o)).get(o);
    }

    private static double[] softmax(double[] logits) {
        double max = java.util.Arrays.stream(logits).max().orElse(0);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
