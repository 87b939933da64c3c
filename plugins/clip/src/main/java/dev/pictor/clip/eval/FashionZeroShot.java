package dev.pictor.clip.eval;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Tokenizer;
import dev.pictor.api.task.ImageSet;
import dev.pictor.clip.train.PairSource;
import dev.pictor.datasets.fashion.FashionMnist;
import dev.pictor.evaluation.ClassificationReport;
import dev.pictor.evaluation.EmbeddingClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluation;

/**
 * A CLIP judged on Fashion-MNIST's test split (10,000 images it never saw): zero-shot classification with the
 * prompt templates ensembled (each class's text vector the normalised mean of its templates' vectors, as in
 * CLIP's paper), scored by Tribuo; and, beside it, a linear probe — Tribuo's logistic regression on the image
 * vectors of training images.
 *
 * <pre>{@code
 * FashionZeroShot.Report r = FashionZeroShot.evaluate(tokenizer, text, image, train, test, 10_000);
 * }</pre>
 */
public final class FashionZeroShot {
    /** Zero-shot and linear-probe results on the test images. */
    public record Report(ClassificationReport zeroShot, double probeAccuracy, double probeMacroF1, int probeTrain,
            int testImages) {
        @Override
        public String toString() {
            return String.format("zero-shot accuracy %.1f%%, macro-F1 %.3f; linear probe (%d training images) accuracy"
                    + " %.1f%%, macro-F1 %.3f; on %d test images", 100 * zeroShot.accuracy(), zeroShot.macroF1(),
                    probeTrain, 100 * probeAccuracy, probeMacroF1, testImages);
        }
    }

    private FashionZeroShot() {
    }

    /** The ensembled class vectors {@code [10, embed]}, unit length. */
    public static INDArray classVectors(Tokenizer tokenizer, Encoder<TokenBatch> text, List<String> templates) {
        int classes = FashionMnist.CLASS_NAMES.size();
        INDArray out = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, classes, text.dimension(
                text.embedding().orElseThrow()));
        for (int c = 0; c < classes; c++) {
            List<String> prompts = new ArrayList<>();
            for (String t : templates) {
                prompts.add(t.replace("{}", FashionMnist.captionOf(c)));
            }
            INDArray v = ImageSet.unit(ShapesZeroShot.embed(text, tokenizer, prompts)).mean(0);
            out.putRow(c, v.div(v.norm2Number()));
        }
        return out;
    }

    /**
     * @param testImages how many test images (from the first)
     * @param probeTrain training images for the linear probe (0 for none)
     */
    public static Report evaluate(Tokenizer tokenizer, Encoder<TokenBatch> text, Encoder<INDArray> image,
            FashionMnist train, FashionMnist test, int testImages, int probeTrain) {
        INDArray classes = classVectors(tokenizer, text, PairSource.FASHION_TEMPLATES);
        INDArray testVectors = embedImages(image, test, testImages);
        int[] guess = testVectors.mmul(classes.transpose()).argMax(1).toIntVector();
        List<String> truth = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        for (int i = 0; i < testImages; i++) {
            truth.add(FashionMnist.CLASS_NAMES.get(test.label(i)));
            predicted.add(FashionMnist.CLASS_NAMES.get(guess[i]));
        }
        ClassificationReport zeroShot = ClassificationReport.of(truth, predicted);
        double probeAccuracy = Double.NaN;
        double probeF1 = Double.NaN;
        if (probeTrain > 0) {
            INDArray trainVectors = embedImages(image, train, probeTrain);
            List<String> trainLabels = new ArrayList<>();
            for (int i = 0; i < probeTrain; i++) {
                trainLabels.add(FashionMnist.CLASS_NAMES.get(train.label(i)));
            }
            Model<Label> probe = EmbeddingClassifier.train(EmbeddingClassifier.dataset(trainVectors, trainLabels,
                    "Fashion-MNIST train[0:" + probeTrain + "]", "clip", "-"), 1);
            LabelEvaluation e = EmbeddingClassifier.evaluate(probe, EmbeddingClassifier.dataset(testVectors, truth,
                    "Fashion-MNIST test[0:" + testImages + "]", "clip", "-"));
            probeAccuracy = e.accuracy();
            probeF1 = e.macroAveragedF1();
        }
        return new Report(zeroShot, probeAccuracy, probeF1, probeTrain, testImages);
    }

    /** Unit image vectors of images {@code 0 … count-1}, in batches of 256. */
    static INDArray embedImages(Encoder<INDArray> image, FashionMnist data, int count) {
        Encoder.Output o = image.embedding().orElseThrow();
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < count; from += 256) {
            int n = Math.min(256, count - from);
            INDArray grey = data.images(from, n);   // [n, 1, 28, 28]
            INDArray rgb = Nd4j.concat(1, grey, grey, grey);
            parts.add(ImageSet.unit(image.encode(rgb, Set.of(o)).get(o)));
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }
}
