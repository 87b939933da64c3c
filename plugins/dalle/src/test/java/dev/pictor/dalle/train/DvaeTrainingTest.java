package dev.pictor.dalle.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pictor.api.BadInputException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.dalle.DvaeConfig;
import dev.pictor.dalle.DvaeQuantizer;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DvaeTrainingTest {
    /** 32 pixels → 8 × 8 codes of 16, tiny widths. */
    static final DvaeConfig TINY = new DvaeConfig(3, 8, 1, 3, 16, 8, 32);

    @TempDir
    Path dir;

    private static DvaeTraining.Settings settings(long steps, Path checkpoint) {
        return new DvaeTraining.Settings(steps, 8, 3e-3, 2, 0.5, 5, 1.0, 0.25, steps, true, 0, 1,
                DvaeTraining.Reconstruction.LOGIT_LAPLACE, 5, 3, checkpoint, 5);
    }

    private static ImageSource shapes() {
        return ImageSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT));
    }

    @Test
    void theLogitLaplaceLikelihoodIsThePapersFormula() {
        Graph g = new Graph(DataType.DOUBLE, 0, Graph.Mode.TRAIN);
        SDVariable stats = g.input("stats", -1, 2, 2, 2);
        SDVariable y = g.input("y", -1, 1, 2, 2);
        SDVariable nll = DvaeTraining.logitLaplaceNll(g, stats, y, 1);
        INDArray s = Nd4j.createFromArray(new double[] {0.3, -1.2, 2.0, 0.0, -0.5, 0.1, 0.7, -2.0}).reshape(1, 2, 2, 2);
        INDArray yv = Nd4j.createFromArray(new double[] {0.2, 0.5, 0.85, 0.11}).reshape(1, 1, 2, 2);
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            double mu = s.getDouble(i);
            double logB = s.getDouble(4 + i);
            double v = yv.getDouble(i);
            double logit = Math.log(v / (1 - v));
            // p(y) = exp(−|logit(y) − μ| / b) / (2 b y (1 − y))
            expected += Math.abs(logit - mu) / Math.exp(logB) + Math.log(2 * Math.exp(logB)) + Math.log(v * (1 - v));
        }
        double got = g.output(Map.of("stats", s, "y", yv), nll).getDouble(0);
        assertThat(got).isCloseTo(expected, within(1e-12));
    }

    @Test
    void temperatureAndKlWeightFollowTheirSchedules() {
        var s = settings(100, null);
        assertThat(s.tau(0)).isEqualTo(1.0);
        assertThat(s.tau(50)).isCloseTo(0.625, within(1e-12));
        assertThat(s.tau(100)).isEqualTo(0.25);
        assertThat(s.tau(1000)).isEqualTo(0.25);
        assertThat(s.beta(0)).isEqualTo(0.0);
        assertThat(s.beta(2)).isCloseTo(0.2, within(1e-12));
        assertThat(s.beta(7)).isEqualTo(0.5);
    }

    @Test
    void learnsToReconstructThroughItsCodesAndReportsCodebookUsage() {
        DvaeTraining t = new DvaeTraining(TINY, shapes(), settings(60, null));
        ImageSource held = ImageSource.shapes(new ShapesWorld(99, ShapesWorld.HELD_OUT));
        double before = t.evaluate(held, 16).psnr();
        List<Double> losses = new ArrayList<>();
        List<DvaeTraining.Usage> usage = new ArrayList<>();
        t.run((step, total, loss, lr, norm) -> losses.add(loss), usage::add, Cancellation.never());
        DvaeTraining.Evaluation after = t.evaluate(held, 16);
        assertThat(losses).hasSize(60).allMatch(Double::isFinite);
        double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(55, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(last).as("loss falls").isLessThan(first);
        assertThat(after.psnr()).as("PSNR through the codes rises").isGreaterThan(before);
        assertThat(after.images()).isEqualTo(16);
        assertThat(usage).isNotEmpty().allSatisfy(u -> {
            assertThat(u.perplexity()).isBetween(1.0, 16.0);
            assertThat(u.deadCodes()).isBetween(0, 15);
        });
    }

    @Test
    void aStoppedRunContinuesExactlyFromItsCheckpoint() {
        Path ckpt = dir.resolve("dvae.ckpt");
        DvaeTraining whole = new DvaeTraining(TINY, shapes(), settings(10, null));
        whole.run(null, null, Cancellation.never());
        DvaeTraining first = new DvaeTraining(TINY, shapes(), settings(10, ckpt));
        Cancellation stop = new Cancellation();
        first.run((step, total, loss, lr, norm) -> {
            if (step == 4) {
                stop.cancel();
            }
        }, null, stop);
        DvaeTraining second = new DvaeTraining(TINY, shapes(), settings(10, ckpt));
        second.run(null, null, Cancellation.never());
        Map<String, INDArray> a = whole.weights();
        Map<String, INDArray> b = second.weights();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((k, v) -> assertThat(b.get(k).equals(v)).as(k).isTrue());
    }

    @Test
    void theQuantizerRefusesCodesOutsideTheCodebookAndImagesOfAnotherSize() {
        DvaeTraining t = new DvaeTraining(TINY, shapes(), settings(10, null));
        DvaeQuantizer q = new DvaeQuantizer(TINY, t.weights());
        INDArray codes = q.encode(shapes().batch(0, 2));
        assertThat(codes.shape()).containsExactly(2, 8, 8);
        assertThat(q.decode(codes).shape()).containsExactly(2, 3, 32, 32);
        INDArray bad = codes.dup();
        bad.putScalar(new long[] {1, 3, 4}, 16);
        assertThatThrownBy(() -> q.decode(bad)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("code 16").hasMessageContaining("outside the codebook [0, 16)");
        assertThatThrownBy(() -> q.encode(Nd4j.zeros(DataType.FLOAT, 1, 3, 28, 28)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("resize them to 32 pixels");
    }
}
