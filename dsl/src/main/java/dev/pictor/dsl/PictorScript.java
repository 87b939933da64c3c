package dev.pictor.dsl;

import dev.pictor.api.BadInputException;
import dev.pictor.api.Names;
import dev.pictor.api.device.Device;
import dev.pictor.api.pipeline.LoadedPipeline;
import dev.pictor.api.pipeline.Pipeline;
import dev.pictor.api.spi.Encoding;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.task.Embed;
import dev.pictor.api.task.Generate;
import dev.pictor.api.task.GenerateRequest;
import dev.pictor.api.task.Task;
import dev.pictor.api.task.TaskOptions;
import dev.pictor.api.task.TextInput;
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
            "search", "search PIPELINE, query: '…', file: 'texts.txt', top: 5  (or index: 'images/', query:|image:)",
            "generate", "generate PIPELINE, prompt: '…' | prompts: 'file.tsv', out: 'folder', seed: N, count: K, …");

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
        TaskOptions o = TaskOptions.of("cpu", options, List.of("threads"));
        return o.has("threads") ? Device.cpu(o.integer("threads", 0)) : Device.cpu();
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
        TaskOptions o = TaskOptions.of("tokenize", options, Embed.OPTIONS);
        LoadedPipeline p = runtime().open(pipeline);
        if (o.has("text") && !o.has("texts") && !o.has("file")) {
            Encoding e = p.tokenizer().encode(TextInput.from(o, runtime().workingDirectory()).texts().get(0));
            warnIfTruncated(List.of(e));
            return e;
        }
        TokenBatch batch = p.tokenizer().encodeBatch(TextInput.from(o, runtime().workingDirectory()).texts());
        warnIfTruncated(batch.encodings());
        return batch;
    }

    /**
     * Encodes with a pipeline's tokenizer and encoder. Options as {@link #tokenize}, and {@code output}: which of
     * the encoder's outputs to return ({@code tokens}, {@code mask}, {@code pooled}, {@code projected}; by default
     * its embedding when it has one, else its token states).
     */
    public INDArray encode(Map<String, ?> options, Object pipeline) {
        List<String> known = new ArrayList<>(Embed.OPTIONS);
        known.add("output");
        TaskOptions o = TaskOptions.of("encode", options, known);
        LoadedPipeline p = runtime().open(pipeline);
        Encoder<TokenBatch> encoder = p.encoder(TokenBatch.class);
        Encoder.Output output = o.has("output") ? output(o.string("output", ""))
                : encoder.embedding().orElse(Encoder.Output.TOKENS);
        TokenBatch batch = p.tokenizer().encodeBatch(TextInput.from(o, runtime().workingDirectory()).texts());
        warnIfTruncated(batch.encodings());
        return encoder.encode(batch, java.util.Set.of(output)).get(output);
    }

    private static Encoder.Output output(String name) {
        for (Encoder.Output o : Encoder.Output.values()) {
            if (o.id().equals(name)) {
                return o;
            }
        }
        throw BadInputException.unknown("encoder output", name, Arrays.stream(Encoder.Output.values())
                .map(Encoder.Output::id).toList(), null);
    }

    /**
     * Sentence embeddings with an embedding pipeline ({@code [texts, dimension]}, one row per text): the
     * {@code embed} task ({@link Embed}), as the CLI's {@code pictor embed} runs it.
     */
    public INDArray embed(Map<String, ?> options, Object pipeline) {
        TaskOptions o = TaskOptions.of("embed", options, Embed.OPTIONS);
        Embed.Result r = Embed.run(runtime().open(pipeline), TextInput.from(o, runtime().workingDirectory()));
        if (r.truncated() > 0) {
            runtime().warn(r.truncated() + " of " + r.vectors().size(0) + " texts were longer than the tokenizer's"
                    + " maxLength and were truncated");
        }
        return r.vectors();
    }

    /**
     * Semantic search. Over texts: the {@code top} lines of {@code file} closest to {@code query}, as
     * {@code [text: …, score: …]} maps. Over images ({@code index:} a folder of PNGs, with a text-and-image pipeline):
     * the {@code top} images closest to the text {@code query} or to the image {@code image}, as
     * {@code [image: …, score: …]} maps ({@link dev.pictor.api.task.ImageSearch}, as {@code pictor search} runs it).
     * Best first, scores are cosine similarities.
     */
    public List<Map<String, Object>> search(Map<String, ?> options, Object pipeline) {
        TaskOptions o = TaskOptions.of("search", options, List.of("query", "file", "top", "index", "image"));
        int top = o.integer("top", 5);
        if (o.has("index")) {
            o.atMostOne("query", "image");
            var dir = runtime().workingDirectory();
            var query = o.has("image") ? dev.pictor.api.task.ImageSearch.Query.image(o.path("image", dir).orElseThrow())
                    : dev.pictor.api.task.ImageSearch.Query.text(o.string("query", ""));
            List<Map<String, Object>> out = new ArrayList<>();
            for (var hit : dev.pictor.api.task.ImageSearch.run(runtime().open(pipeline), o.path("index", dir)
                    .orElseThrow(), query, top)) {
                out.add(Map.of("image", hit.image().toString(), "score", hit.score()));
            }
            return out;
        }
        if (!o.has("query") || !o.has("file")) {
            throw new BadInputException("search needs query: and file: (one text a line), or index: (a folder of"
                    + " images) with query: or image:");
        }
        List<String> corpus = TextInput.file(o.path("file", runtime().workingDirectory()).orElseThrow()).texts();
        INDArray docs = embed(Map.of("texts", corpus), pipeline);
        INDArray q = embed(Map.of("text", o.string("query", "")), pipeline);
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

    /**
     * Generates images with a diffusion or image-token (DALL·E) pipeline: the {@code generate} task
     * ({@link Generate}), as {@code pictor generate} runs it. Options: {@code prompt} or {@code prompts} (a file of
     * id&lt;TAB&gt;prompt lines), {@code out}, {@code negative}, {@code seed}, {@code count}, {@code steps},
     * {@code sampler}, {@code guidance}, {@code guidanceRescale}, {@code initImage}, {@code strength}, {@code mask},
     * {@code upscale}, {@code rerank} (candidates per image, the best by CLIP kept), {@code grid}; where the script
     * names none, the pipeline's own defaults ({@code defaults guidance: 3} in its block, or its zoo descriptor's)
     * and then the global ones. Returns the files written.
     */
    public List<java.nio.file.Path> generate(Map<String, ?> options, Object pipeline) {
        GenerateRequest request = GenerateRequest.from(GenerateRequest.withDefaults(TaskOptions.of("generate",
                options, GenerateRequest.OPTIONS), runtime().spec(pipeline)), runtime().workingDirectory());
        dev.pictor.api.task.TaskContext context = runtime().taskContext();
        Generate.Result r = Generate.run(context, runtime().open(pipeline), request,
                dev.pictor.api.diffusion.SamplingHooks.none().withProgress(context.progress())
                        .withCancellation(context.cancellation()));
        r.warnings().forEach(runtime()::warn);
        List<java.nio.file.Path> files = new ArrayList<>(r.images().stream().map(Generate.Image::file).toList());
        r.grid().ifPresent(files::add);
        return files;
    }

    /**
     * Zero-shot classification with a text-and-image pipeline: the {@code classify} task ({@link
     * dev.pictor.api.task.Classify}), as {@code pictor classify} runs it. Options: {@code labels} (a list),
     * {@code images} (a list of PNG paths), {@code template} ({@code "a photo of a {}"}) or {@code templates} (a list,
     * ensembled), {@code scale} (100).
     * Returns one {@code [image: …, label: …, probability: …]} map per image.
     */
    public List<Map<String, Object>> classify(Map<String, ?> options, Object pipeline) {
        TaskOptions o = TaskOptions.of("classify", options, dev.pictor.api.task.Classify.OPTIONS);
        List<String> labels = o.strings("labels").orElseThrow(() -> new BadInputException(
                "classify needs labels: [...]"));
        List<java.nio.file.Path> images = o.strings("images").orElseThrow(() -> new BadInputException(
                "classify needs images: [...]")).stream().map(s -> runtime().workingDirectory().resolve(s)).toList();
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> templates = o.has("templates") ? o.strings("templates").orElseThrow()
                : List.of(o.string("template", dev.pictor.api.task.Classify.DEFAULT_TEMPLATE));
        for (var s : dev.pictor.api.task.Classify.run(runtime().open(pipeline), images, labels, templates,
                o.real("scale", dev.pictor.api.task.Classify.DEFAULT_SCALE), runtime()::warn)) {
            out.add(Map.of("image", s.image().toString(), "label", s.best(), "probability", s.bestProbability()));
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
                    "encode", "embed", "search", "generate", "classify", "println"));
            verbs.addAll(runtime().taskVerbs());
            throw runtime().pictor().plugins().withFailureNote(new BadInputException("unknown verb '" + name + "'"
                    + Names.closest(name, verbs).map(s -> ": did you mean '" + s + "'?").orElse("")
                    + " (verbs: " + String.join(", ", new TreeSet<>(verbs)) + ")"));
        }
        java.util.Map<String, Object> options = new java.util.LinkedHashMap<>();
        List<Object> positional = new ArrayList<>(Arrays.asList(all));
        if (!positional.isEmpty() && positional.get(0) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> options.put(String.valueOf(k), v));
            positional.remove(0);
        }
        return task.get().call(name, runtime().taskContext(), options, positional);
    }

    private void warnIfTruncated(List<Encoding> encodings) {
        long cut = encodings.stream().filter(Encoding::truncated).count();
        if (cut > 0) {
            runtime().warn(cut + " of " + encodings.size() + " texts were longer than the tokenizer's maxLength and"
                    + " were truncated");
        }
    }

}
