package dev.pictor.dsl;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Names;
import dev.pictor.api.device.Device;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.task.Task;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import groovy.lang.Script;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The base class of every Pictor script: the DSL's verbs.
 *
 * <pre>{@code
 * device cpu(threads: 2)
 * def words = pipeline('encoding') {
 *     tokenizer 'word', corpus: "$scriptDir/data/captions.txt"
 *     encoder 'one-hot'
 * }
 * def batch = tokenize words, file: args[0]      // TokenBatch, one row per line
 * def onehot = encode words, file: args[0]       // [lines, length, vocabulary]
 * println onehot.shape()
 * def shapes = zoo 'shapes-words'                 // a pretrained pipeline
 * }</pre>
 *
 * Plugins add verbs as {@link Task}s: {@code countTokens words, text: '…'} runs the task {@code count-tokens}.
 * Relative file paths start at the working directory; {@code scriptDir} is the script's own folder.
 */
public abstract class PictorScript extends Script {
    /** The built-in verbs and how to call them, for the error when a call's arguments don't fit. */
    private static final Map<String, String> USAGE = Map.of(
            "device", "device cpu(threads: N) | device cuda(INDEX)",
            "cpu", "cpu() | cpu(threads: N)",
            "cuda", "cuda() | cuda(INDEX)",
            "pipeline", "pipeline('task') { tokenizer 'name', setting: value … }",
            "zoo", "zoo 'name'",
            "tokenize", "tokenize PIPELINE, text: '…' | texts: [...] | file: 'path'",
            "encode", "encode PIPELINE, text: '…' | texts: [...] | file: 'path'",
            "embed", "embed PIPELINE, text: '…' | texts: [...] | file: 'path'",
            "search", "search PIPELINE, query: '…', file: 'texts.txt', top: 5");

    private ScriptRuntime runtime() {
        return (ScriptRuntime) getBinding().getVariable(ScriptRuntime.BINDING_NAME);
    }

    /** Uses a device; only before the first pipeline runs. */
    public void device(Device device) {
        runtime().pictor().device(device);
    }

    /** CPU with all cores. */
    public Device cpu() {
        return Device.cpu();
    }

    /** CPU; named argument {@code threads}. */
    public Device cpu(Map<String, ?> options) {
        checkOptions("cpu", options, "threads");
        Object threads = options.get("threads");
        return threads == null ? Device.cpu() : Device.cpu(toInt("threads", threads));
    }

    /** The first CUDA GPU. */
    public Device cuda() {
        return Device.cuda(0);
    }

    /** The CUDA GPU at {@code index}. */
    public Device cuda(int index) {
        return Device.cuda(index);
    }

    /** A pipeline for a task, composed in the block. */
    public Pipeline pipeline(String task,
            @DelegatesTo(value = PipelineSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> block) {
        PipelineSpec spec = new PipelineSpec(runtime().pictor().plugins(), task);
        Closure<?> c = (Closure<?>) block.clone();
        c.setResolveStrategy(Closure.DELEGATE_FIRST);
        c.setDelegate(spec);
        c.call();
        return spec.build();
    }

    /** A pipeline of task {@code custom}. */
    public Pipeline pipeline(@DelegatesTo(value = PipelineSpec.class, strategy = Closure.DELEGATE_FIRST)
            Closure<?> block) {
        return pipeline("custom", block);
    }

    /** A pretrained pipeline from the zoo. */
    public Pipeline zoo(String name) {
        return runtime().pictor().zoo(name).pipeline();
    }

    /**
     * Tokenizes with a pipeline's tokenizer. Options: {@code text} (one text, gives an {@link Encoding}),
     * {@code texts} (a list) or {@code file} (one text a line), both giving a {@link TokenBatch}.
     */
    public Object tokenize(Map<String, ?> options, Object pipeline) {
        checkOptions("tokenize", options, "text", "texts", "file");
        LoadedPipeline p = runtime().open(pipeline);
        if (options.containsKey("text")) {
            Encoding e = p.tokenizer().encode(String.valueOf(options.get("text")));
            warnIfTruncated(List.of(e));
            return e;
        }
        TokenBatch batch = p.tokenizer().encodeBatch(texts("tokenize", options));
        warnIfTruncated(batch.encodings());
        return batch;
    }

    /**
     * Encodes with a pipeline's tokenizer and encoder. Options as {@link #tokenize}; the result is the encoder's
     * array ({@code [texts, …]}).
     */
    public INDArray encode(Map<String, ?> options, Object pipeline) {
        checkOptions("encode", options, "text", "texts", "file");
        LoadedPipeline p = runtime().open(pipeline);
        List<String> texts = options.containsKey("text") ? List.of(String.valueOf(options.get("text")))
                : texts("encode", options);
        TokenBatch batch = p.tokenizer().encodeBatch(texts);
        warnIfTruncated(batch.encodings());
        return p.encoder(TokenBatch.class).encode(batch);
    }

    /**
     * Sentence embeddings with an embedding pipeline ({@code [texts, dimension]}, one row per text): as
     * {@link #encode}, but the pipeline's encoder must pool (one vector per text).
     */
    public INDArray embed(Map<String, ?> options, Object pipeline) {
        LoadedPipeline p = runtime().open(pipeline);
        if (p.encoder().output() != dev.pictor.api.spi.Encoder.Output.POOLED) {
            throw new BadInputException("embed: the pipeline's encoder gives one vector per token; use encode, or an"
                    + " embedding pipeline such as zoo 'minilm-l6'");
        }
        return encode(options, pipeline);
    }

    /**
     * Semantic search: the {@code top} texts of {@code file} (one a line) closest to {@code query} by cosine
     * similarity of their embeddings, best first, as {@code [text: …, score: …]} maps.
     */
    public List<Map<String, Object>> search(Map<String, ?> options, Object pipeline) {
        checkOptions("search", options, "query", "file", "top");
        if (!options.containsKey("query") || !options.containsKey("file")) {
            throw new BadInputException("search needs query: and file: (one text a line)");
        }
        int top = options.containsKey("top") ? toInt("top", options.get("top")) : 5;
        List<String> corpus = runtime().readLines(String.valueOf(options.get("file")));
        INDArray docs = embed(Map.of("texts", corpus), pipeline);
        INDArray q = embed(Map.of("text", String.valueOf(options.get("query"))), pipeline);
        double[] scores = docs.mmul(q.transpose()).toDoubleVector();
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < Math.min(top, order.length); i++) {
            out.add(Map.of("text", corpus.get(order[i]), "score", scores[order[i]]));
        }
        return out;
    }

    /** Plugin task verbs: {@code name} or its camelCase form. */
    public Object methodMissing(String name, Object args) {
        Object[] all = args instanceof Object[] a ? a : new Object[] {args};
        String usage = USAGE.get(name);
        if (usage != null) {
            throw new BadInputException(name + ": these arguments don't fit (" + Arrays.stream(all)
                    .map(o -> o == null ? "null" : o.getClass().getSimpleName()).toList() + "); usage: " + usage);
        }
        Optional<Task> task = runtime().task(name);
        if (task.isEmpty()) {
            List<String> verbs = new ArrayList<>(List.of("device", "cpu", "cuda", "pipeline", "zoo", "tokenize",
                    "encode", "embed", "search", "println"));
            verbs.addAll(runtime().taskVerbs());
            throw runtime().pictor().plugins().withFailureNote(new BadInputException("unknown verb '" + name + "'"
                    + Names.closest(name, verbs).map(s -> ": did you mean '" + s + "'?").orElse("")
                    + " (verbs: " + String.join(", ", new TreeSet<>(verbs)) + ")"));
        }
        java.util.Map<String, Object> options = new java.util.LinkedHashMap<>();
        List<Object> positional = new ArrayList<>(Arrays.asList(all));
        if (!positional.isEmpty() && positional.get(0) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> options.put(String.valueOf(k), v instanceof CharSequence cs ? cs.toString() : v));
            positional.remove(0);
        }
        return task.get().run(runtime().taskContext(), options, positional);
    }

    private List<String> texts(String verb, Map<String, ?> options) {
        if (options.containsKey("texts")) {
            Object t = options.get("texts");
            if (!(t instanceof Iterable<?> items)) {
                throw new BadInputException(verb + ": 'texts' must be a list of strings, got "
                        + (t == null ? "null" : t.getClass().getSimpleName()));
            }
            List<String> out = new ArrayList<>();
            items.forEach(i -> out.add(String.valueOf(i)));
            return out;
        }
        if (options.containsKey("file")) {
            return runtime().readLines(String.valueOf(options.get("file")));
        }
        throw new BadInputException(verb + " needs one of text:, texts: or file:");
    }

    private void warnIfTruncated(List<Encoding> encodings) {
        long cut = encodings.stream().filter(Encoding::truncated).count();
        if (cut > 0) {
            runtime().warn(cut + " of " + encodings.size() + " texts were longer than the tokenizer's maxLength and"
                    + " were truncated");
        }
    }

    private static void checkOptions(String verb, Map<String, ?> options, String... known) {
        List<String> allowed = List.of(known);
        for (String key : options.keySet()) {
            if (!allowed.contains(key)) {
                throw new BadInputException(verb + ": unknown option '" + key + "'"
                        + Names.closest(key, allowed).map(s -> ": did you mean '" + s + "'?").orElse("")
                        + " (options: " + String.join(", ", allowed) + ")");
            }
        }
        if (allowed.contains("text") && allowed.contains("texts")) {
            long given = options.keySet().stream().filter(k -> k.equals("text") || k.equals("texts")
                    || k.equals("file")).count();
            if (given > 1) {
                throw new BadInputException(verb + ": give only one of text:, texts: or file:");
            }
        }
    }

    private static int toInt(String what, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(v));
        } catch (NumberFormatException e) {
            throw new BadInputException(what + " must be a whole number, got '" + v + "'");
        }
    }

}
