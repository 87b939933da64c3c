package dev.pictor.evaluation;

import dev.pictor.api.BadInputException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;

/**
 * Sentence embeddings as Tribuo datasets, a Tribuo logistic-regression classifier trained on them, Tribuo's
 * evaluation (accuracy, macro-F1, confusion matrix), and a model card that carries Tribuo's provenance plus the
 * pipeline and weights it was embedded with.
 *
 * <pre>{@code
 * var train = EmbeddingClassifier.dataset(vectors, labels, "shapes relations, train", "minilm-l6", weightsSha);
 * Model<Label> model = EmbeddingClassifier.train(train, 7);
 * LabelEvaluation eval = EmbeddingClassifier.evaluate(model, test);
 * String card = EmbeddingClassifier.card(model, eval, "minilm-l6", weightsSha);
 * }</pre>
 */
public final class EmbeddingClassifier {
    /** Held so the level set on it is not lost when the logger would otherwise be collected. */
    private static final Logger QUIET_TRIBUO = Logger.getLogger("org.tribuo.common.sgd");

    private static final LabelFactory LABELS = new LabelFactory();

    private EmbeddingClassifier() {
    }

    /**
     * A dataset of one example per row of {@code embeddings} ({@code [n, d]}), features {@code e000 … e383} (zero-
     * padded so Tribuo's lexicographic feature order is the dimension order), labelled by {@code labels}.
     */
    public static MutableDataset<Label> dataset(INDArray embeddings, List<String> labels, String data, String pipeline,
            String weightsSha256) {
        if (embeddings.rank() != 2 || embeddings.size(0) != labels.size()) {
            throw new BadInputException("need one label per embedding row: " + labels.size() + " labels for "
                    + java.util.Arrays.toString(embeddings.shape()));
        }
        int d = (int) embeddings.size(1);
        String[] names = new String[d];
        for (int j = 0; j < d; j++) {
            names[j] = String.format("e%03d", j);
        }
        SimpleDataSourceProvenance provenance = new SimpleDataSourceProvenance(data + "; embedded with pipeline "
                + pipeline + " (weights sha256 " + weightsSha256 + ")", LABELS);
        ListDataSource<Label> source = new ListDataSource<>(new java.util.ArrayList<>(), LABELS, provenance);
        MutableDataset<Label> dataset = new MutableDataset<>(source);
        double[][] rows = embeddings.toDoubleMatrix();
        for (int i = 0; i < rows.length; i++) {
            dataset.add(new ArrayExample<>(new Label(labels.get(i)), names, rows[i]));
        }
        return dataset;
    }

    /**
     * Multinomial logistic regression: Tribuo's linear SGD trainer with the log-multiclass objective and AdaGrad
     * (η 1.0, ε 0.1), 5 epochs, minibatch 1 — the settings of its {@code LogisticRegressionTrainer} — seeded.
     */
    public static Model<Label> train(MutableDataset<Label> train, long seed) {
        // Tribuo reports the average loss every 1,000 examples on java.util.logging (50 INFO lines for a 10,000-image
        // probe): a result line is what users want, so its trainer speaks only of warnings.
        QUIET_TRIBUO.setLevel(Level.WARNING);
        return new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), 5, 1000, 1, seed).train(train);
    }

    public static LabelEvaluation evaluate(Model<Label> model, MutableDataset<Label> test) {
        return new LabelEvaluator().evaluate(model, test);
    }

    /** A Markdown model card: metrics, confusion matrix, and the full Tribuo provenance. */
    public static String card(Model<Label> model, LabelEvaluation evaluation, String pipeline, String weightsSha256) {
        return "# Embedding classifier\n\n"
                + "**Embeddings:** pipeline `" + pipeline + "` (weights sha256 `" + weightsSha256 + "`). "
                + "**Classifier:** Tribuo logistic regression.\n\n"
                + "## Metrics (test set)\n"
                + String.format(java.util.Locale.ROOT, "accuracy %.4f, macro-F1 %.4f%n%n", evaluation.accuracy(),
                evaluation.macroAveragedF1())
                + "```\n" + evaluation.getConfusionMatrix().toString() + "```\n\n"
                + "## Provenance (Tribuo)\n```\n" + ProvenanceUtil.formattedProvenanceString(model.getProvenance())
                + "\n```\n";
    }
}
