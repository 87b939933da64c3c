package dev.pictor.bert;

import dev.pictor.api.BadInputException;
import dev.pictor.api.io.TextFiles;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskContext;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.nn.train.LearningRateSchedule;
import dev.pictor.nn.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DSL verb {@code pretrainBert}: BERT pretraining (MLM + NSP) on a small corpus, printing both losses as it
 * goes, optionally saving the weights. The corpus is a UTF-8 file of documents separated by blank lines, one
 * sentence a line; the WordPiece vocabulary is the corpus's words.
 *
 * <pre>{@code
 * def r = pretrainBert documents: 'docs.txt', steps: 300, hidden: 64, layers: 2, heads: 2, into: 'bert.safetensors'
 * println "MLM ${r.mlmFirst} -> ${r.mlmLast}, NSP ${r.nspFirst} -> ${r.nspLast}"
 * }</pre>
 */
public final class PretrainTask implements Task {

    @Override
    public String description() {
        return "pretrain a small BERT (MLM + NSP) on a corpus of documents; prints both losses";
    }

    @Override
    public List<String> options() {
        return List.of("documents", "steps", "hidden", "layers", "heads", "batch", "length", "seed", "lr", "into");
    }

    @Override
    public Object run(TaskContext context, TaskOptions options, List<Object> arguments) {
        Path file = options.path("documents", context.baseDirectory()).orElseThrow(() -> new BadInputException(
                "pretrainBert needs documents: a text file, documents separated by blank lines"));
        List<List<String>> docs = documents(file);
        int steps = options.integer("steps", 300);
        int hidden = options.integer("hidden", 64);
        int layers = options.integer("layers", 2);
        int heads = options.integer("heads", 2);
        int batch = options.integer("batch", 32);
        int length = options.integer("length", 40);
        long seed = options.longInteger("seed", 5);
        double lr = options.real("lr", 3e-3);

        WordPieceTokenizer tokenizer = WordPieceTokenizer.ofCorpusWords(docs.stream().flatMap(List::stream).toList(),
                length);
        BertConfig config = new BertConfig(tokenizer.vocabularySize(), hidden, layers, heads, hidden * 2,
                Math.max(length, 64), 2, 1e-12);
        BertPretraining model = new BertPretraining(config, seed);
        var batches = model.batches(new PretrainingData(tokenizer, docs, length, seed), batch, seed);
        List<double[]> curve = new ArrayList<>();
        long every = Math.max(1, steps / 10);
        long start = System.nanoTime();
        new Trainer(model.graph(), model.loss(), batches, Trainer.Config.builder(steps)
                .learningRate(LearningRateSchedule.warmupCosine(lr, Math.min(20, steps - 1), steps, lr / 10))
                .clipNorm(1.0).gcEvery(10).build())
                .cancellation(context.cancellation())
                .listener((step, total, loss, rate, norm) -> {
                    if (step % every == 0 || step == total - 1) {
                        // losses on a held-out batch (steps far beyond the run), the same every time
                        Map<String, INDArray> both = model.graph().output(batches.batch(1_000_000 + step % 2),
                                model.mlmLoss(), model.nspLoss());
                        double mlm = both.get(model.mlmLoss().name()).getDouble(0);
                        double nsp = both.get(model.nspLoss().name()).getDouble(0);
                        curve.add(new double[] {mlm, nsp});
                        context.out().printf("step %d/%d  MLM %.3f  NSP %.3f%n", step + 1, total, mlm, nsp);
                        context.progress().onProgress("pretraining", step + 1, total);
                    }
                }).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (options.has("into")) {
            Path into = options.path("into", context.baseDirectory()).orElseThrow();
            dev.pictor.api.weights.Safetensors.write(into, model.graph().state(), Map.of("recipe", "pretrainBert",
                    "steps", Integer.toString(steps), "seed", Long.toString(seed)));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mlmFirst", curve.get(0)[0]);
        result.put("mlmLast", curve.get(curve.size() - 1)[0]);
        result.put("nspFirst", curve.get(0)[1]);
        result.put("nspLast", curve.get(curve.size() - 1)[1]);
        result.put("seconds", seconds);
        return result;
    }

    static List<List<String>> documents(Path file) {
        List<List<String>> docs = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : TextFiles.readLines(file, "documents file", "")) {
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    docs.add(current);
                    current = new ArrayList<>();
                }
            } else {
                current.add(line.strip());
            }
        }
        if (!current.isEmpty()) {
            docs.add(current);
        }
        docs.removeIf(d -> d.size() < 2);
        if (docs.size() < 2) {
            throw new BadInputException(file + " needs at least two documents of two or more sentences,"
                    + " separated by blank lines");
        }
        return docs;
    }
}
