package dev.pictor.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pictor.datasets.shapes.Scene;
import dev.pictor.datasets.shapes.SceneObject;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pretraining recipe at toy scale: a 2-layer, 64-wide BERT on documents about Shapes-world scenes (the
 * caption, then sentences about the same objects), with MiniLM's WordPiece vocabulary. Both losses must fall.
 */
class PretrainingTest {
    /** Each document describes one scene; its sentences agree on colours and shapes, so NSP is learnable. */
    static List<List<String>> documents(int count) {
        ShapesWorld world = new ShapesWorld(3, ShapesWorld.HELD_OUT);
        List<List<String>> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scene s = world.scene(i);
            List<String> doc = new ArrayList<>();
            doc.add(s.prompt() + ".");
            for (SceneObject o : s.objects()) {
                doc.add("the " + o.colour().word() + " " + o.shape().word() + " is " + o.sizeWord() + ".");
                doc.add("its colour is " + o.colour().word() + " and it is a " + o.shape().word() + ".");
            }
            docs.add(doc);
        }
        return docs;
    }

    /** 300 training steps: ~35 s on an idle 2-core machine, 6 min on a busy one. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void bothLossesFall() throws Exception {
        List<List<String>> docs = documents(400);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.ofCorpusWords(docs.stream().flatMap(List::stream).toList(),
                64);
        BertConfig tiny = new BertConfig(tokenizer.vocabularySize(), 64, 2, 2, 128, 64, 2, 1e-12);
        BertPretraining model = new BertPretraining(tiny, 5);
        PretrainingData data = new PretrainingData(tokenizer, docs, 40, 5);
        var batches = model.batches(data, 32, 5);
        List<double[]> curve = new ArrayList<>();
        int steps = 300;
        new Trainer(model.graph(), model.loss(), batches, Trainer.Config.builder(steps)
                .learningRate(LearningRateSchedule.warmupCosine(3e-3, 20, steps, 3e-4)).clipNorm(1.0).gcEvery(10)
                .build()).listener((step, total, loss, lr, norm) -> {
                    if (step % 30 == 0 || step == total - 1) {
                        Map<String, INDArray> both = model.graph().output(batches.batch(10_000 + step),
                                model.mlmLoss(), model.nspLoss());
                        curve.add(new double[] {both.get(model.mlmLoss().name()).getDouble(0),
                                both.get(model.nspLoss().name()).getDouble(0)});
                    }
                }).run();
        double mlmFirst = curve.get(0)[0];
        double nspFirst = curve.get(0)[1];
        double mlmLast = (curve.get(curve.size() - 1)[0] + curve.get(curve.size() - 2)[0]) / 2;
        double nspLast = (curve.get(curve.size() - 1)[1] + curve.get(curve.size() - 2)[1]) / 2;
        System.out.printf("pretraining: MLM %.3f -> %.3f, NSP %.3f -> %.3f%n", mlmFirst, mlmLast, nspFirst, nspLast);
        assertThat(mlmLast).isLessThan(mlmFirst * 0.6);
        assertThat(nspLast).isLessThan(nspFirst * 0.9);
    }

    @Test
    void maskingFollowsTheRecipe() throws Exception {
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(MiniLmFiles.tokenizerJson());
        PretrainingData data = new PretrainingData(tokenizer, documents(200), 40, 9);
        int chosen = 0;
        int real = 0;
        int masked = 0;
        int kept = 0;
        int isNext = 0;
        for (int i = 0; i < 2000; i++) {
            Map<String, INDArray> e = data.example(i);
            long[] ids = e.get("input_ids").toLongVector();
            long[] targets = e.get("mlm_targets").toLongVector();
            float[] w = e.get("mlm_weights").toFloatVector();
            float[] a = e.get("attention_mask").toFloatVector();
            for (int t = 0; t < ids.length; t++) {
                if (a[t] == 1 && targets[t] != tokenizer.specialId("[CLS]") && targets[t] != tokenizer.specialId("[SEP]")) {
                    real++;
                }
                if (w[t] == 1) {
                    chosen++;
                    if (ids[t] == tokenizer.specialId("[MASK]")) {
                        masked++;
                    } else if (ids[t] == targets[t]) {
                        kept++;
                    }
                }
            }
            if (e.get("nsp_label").getLong(0) == 0) {
                isNext++;
            }
        }
        assertThat((double) chosen / real).isBetween(0.14, 0.16);
        assertThat((double) masked / chosen).isBetween(0.78, 0.82);
        assertThat((double) kept / chosen).isBetween(0.085, 0.12); // 10% unchanged, plus random picks of itself
        assertThat(isNext).isBetween(900, 1100);
        assertThat(data.example(17).get("input_ids")).isEqualTo(data.example(17).get("input_ids"));
    }
}
