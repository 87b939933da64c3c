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
        return settings(steps, 0, checkpoint);
    }

    private static DvaeTraining.Settings settings(long steps, double argmaxWeight, Path checkpoint) {
        return new DvaeTraining.Settings(steps, 8, 3e-3, 2, 0.5, 5, 1.0, 0.25, steps, true, 0, 1,
                DvaeTraining.Reconstruction.LOGIT_LAPLACE, 5, argmaxWeight, 3, checkpoint, 5);
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
    void theArgmaxTermTrainsTheDecoderAloneOnTheCodesTheEncoderPicks() {
        DvaeTraining plain = new DvaeTraining(TINY, shapes(), settings(10, null));
        DvaeTraining both = new DvaeTraining(TINY, shapes(), settings(10, 2.0, null));
        Map<String, INDArray> in = plain.inputs(0);
        var a = plain.graph().gradientRunner(plain.loss(), plain.graph().paramNames()).compute(in);
        var b = both.graph().gradientRunner(both.loss(), both.graph().paramNames()).compute(in);

        // the added term, computed apart: the decoder on one-hot(argmax logits), the logit-Laplace NLL, × 2
        Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
        SDVariable codes = g.input("codes", -1, TINY.vocabSize(), 8, 8);
        SDVariable y = g.input("y", -1, 3, 32, 32);
        SDVariable nll = DvaeTraining.logitLaplaceNll(g, new dev.pictor.dalle.DiscreteVae(TINY).decode(g, "decoder",
                codes), y, 3);
        g.load(plain.weights(), false);
        INDArray ids = new DvaeQuantizer(TINY, plain.weights()).encode(in.get(DvaeTraining.IMAGES));
        INDArray hot = Nd4j.zeros(DataType.FLOAT, ids.size(0), TINY.vocabSize(), 8, 8);
        for (long n = 0; n < ids.size(0); n++) {
            for (long i = 0; i < 8; i++) {
                for (long j = 0; j < 8; j++) {
                    hot.putScalar(new long[] {n, ids.getLong(n, i, j), i, j}, 1);
                }
            }
        }
        INDArray mapped = in.get(DvaeTraining.IMAGES).add(1).mul(0.5 * (1 - 2 * 0.1)).add(0.1);
        double term = g.output(Map.of("codes", hot, "y", mapped), nll).meanNumber().doubleValue();
        assertThat(b.loss() - a.loss()).isCloseTo(2 * term, within(1e-3 * Math.abs(term)));

        // no gradient reaches the encoder through the argmax; the decoder's changes
        a.gradients().forEach((name, grad) -> {
            INDArray other = b.gradients().get(name);
            double diff = grad.sub(other).norm2Number().doubleValue();
            double scale = grad.norm2Number().doubleValue();
            if (name.startsWith("encoder.")) {
                assertThat(diff).as(name).isLessThanOrEqualTo(1e-5 * scale + 1e-9);
            } else if (name.equals("decoder.blocks.output.conv.w")) {
                assertThat(diff).as(name).isGreaterThan(1e-3 * scale);
            }
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
