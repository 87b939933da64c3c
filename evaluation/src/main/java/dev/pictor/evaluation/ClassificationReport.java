package dev.pictor.evaluation;

import dev.pictor.api.BadInputException;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.MutableLabelInfo;
import org.tribuo.classification.evaluation.LabelConfusionMatrix;
import org.tribuo.impl.ArrayExample;

/**
 * Accuracy, macro-averaged F1 and the confusion matrix of predictions made elsewhere (zero-shot classification,
 * where no Tribuo model exists), computed by Tribuo's {@link LabelConfusionMatrix} — the same numbers its
 * {@code LabelEvaluation} gives a trained model.
 *
 * <pre>{@code
 * ClassificationReport r = ClassificationReport.of(List.of("coat", "bag"), List.of("coat", "coat"));
 * r.accuracy();   // 0.5
 * }</pre>
 *
 * @param accuracy  share of predictions equal to the truth
 * @param macroF1   F1 averaged over the labels that occur (in truth or prediction)
 * @param confusion Tribuo's confusion matrix, as text
 * @param count     predictions
 */
public record ClassificationReport(double accuracy, double macroF1, String confusion, int count) {
    private static final LabelFactory LABELS = new LabelFactory();

    /** Scores {@code predicted[i]} against {@code truth[i]}. */
    public static ClassificationReport of(List<String> truth, List<String> predicted) {
        if (truth.size() != predicted.size() || truth.isEmpty()) {
            throw new BadInputException("need one prediction per true label, and at least one: " + predicted.size()
                    + " predictions for " + truth.size() + " labels");
        }
        MutableLabelInfo info = (MutableLabelInfo) LABELS.generateInfo();
        truth.forEach(t -> info.observe(new Label(t)));
        predicted.forEach(p -> info.observe(new Label(p)));
        ImmutableOutputInfo<Label> domain = info.generateImmutableOutputInfo();
        List<Prediction<Label>> predictions = new ArrayList<>(truth.size());
        for (int i = 0; i < truth.size(); i++) {
            ArrayExample<Label> example = new ArrayExample<>(new Label(truth.get(i)), new String[] {"x"},
                    new double[] {1});
            predictions.add(new Prediction<>(new Label(predicted.get(i)), 1, example));
        }
        LabelConfusionMatrix cm = new LabelConfusionMatrix(domain, predictions);
        double right = 0;
        double f1 = 0;
        int classes = 0;
        for (Label l : domain.getDomain()) {
            right += cm.tp(l);
            double p = cm.tp(l) + cm.fp(l) == 0 ? 0 : cm.tp(l) / (cm.tp(l) + cm.fp(l));
            double r = cm.tp(l) + cm.fn(l) == 0 ? 0 : cm.tp(l) / (cm.tp(l) + cm.fn(l));
            f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
            classes++;
        }
        return new ClassificationReport(right / truth.size(), f1 / classes, cm.toString(), truth.size());
    }
}
