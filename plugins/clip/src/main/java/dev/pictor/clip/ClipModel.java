package dev.pictor.clip;

import dev.pictor.clip.ClipConfig.ModifiedResNet;
import dev.pictor.clip.ClipConfig.VisionTransformer;
import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import dev.pictor.nn.inference.TransformerStack;
import dev.pictor.nn.layers.AttentionNames;
import dev.pictor.nn.layers.AvgPool2d;
import dev.pictor.nn.layers.BatchNorm2d;
import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.Embedding;
import dev.pictor.nn.layers.LayerNorm;
import dev.pictor.nn.layers.Linear;
import dev.pictor.nn.layers.MultiHeadAttention;
import dev.pictor.nn.layers.TransformerBlock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP, written once: the text transformer, the image tower (ViT or ModifiedResNet), the learnable logit scale and
 * the contrastive loss, built into a {@link Graph} that serves training and the reference forward.
 *
 * <p>Parameter names follow Hugging Face's {@code CLIPModel} where transformers has the part ({@code text_model.…},
 * {@code vision_model.…}, {@code text_projection.weight}, {@code visual_projection.weight}, {@code logit_scale})
 * and OpenAI's state dict where it has not (the ResNet: {@code visual.layer1.0.conv1.weight},
 * {@code visual.attnpool.c_proj.weight}). {@link ClipCheckpoint} maps OpenAI's layout onto these names.
 *
 * <pre>{@code
 * ClipModel clip = new ClipModel(config, Graph.Mode.INFER, 0);
 * clip.graph().load(ClipCheckpoint.read(Path.of("ViT-B-32.safetensors")), true);
 * INDArray textVectors = clip.graph().output(clip.textInputs(ids), clip.text().projected());
 * }</pre>
 */
public final class ClipModel {
    /** Token ids {@code [N, T]}, INT64. */
    public static final String INPUT_IDS = "input_ids";
    /** Positions {@code 0…T-1}, INT64. */
    public static final String POSITION_IDS = "position_ids";
    /** One-hot of each text's pooled position (its end-of-text token) {@code [N, T]}. */
    public static final String POOL = "pool_one_hot";
    /** The text projection's weight, absent from text-only checkpoints. */
    public static final String TEXT_PROJECTION = "text_projection.weight";
    /** Images {@code [N, 3, R, R]} (or NHWC in an NHWC graph), already normalised. */
    public static final String PIXELS = "pixel_values";
    /** Contrastive targets {@code [N, N]}: row i's distribution over the batch's texts (the identity when all differ). */
    public static final String TARGETS = "contrastive_targets";

    /** A tower's outputs: token states, pooled vector (null where the tower has none), projected vector. */
    public record Tower(SDVariable tokens, SDVariable pooled, SDVariable projected) {
    }

    private final ClipConfig config;
    private final Graph graph;
    private final Tower text;
    private final Tower image;
    private final SDVariable logitScale;

    /** Both towers and the logit scale in one graph of float32, NCHW. */
    public ClipModel(ClipConfig config, Graph.Mode mode, long seed) {
        this(config, new Graph(DataType.FLOAT, seed, mode));
    }

    /** Both towers built into {@code graph} (its type, mode and layout). */
    public ClipModel(ClipConfig config, Graph graph) {
        this.config = config;
        this.graph = graph;
        this.text = text(graph, config, graph.input(INPUT_IDS, DataType.INT64, -1, -1),
                graph.input(POSITION_IDS, DataType.INT64, -1), graph.input(POOL, -1, -1));
        this.image = image(graph, config, graph.layout() == Graph.Layout.NCHW
                ? graph.input(PIXELS, -1, 3, config.vision().imageSize(), config.vision().imageSize())
                : graph.input(PIXELS, -1, config.vision().imageSize(), config.vision().imageSize(), 3));
        this.logitScale = logitScale(graph);
    }

    public ClipConfig config() {
        return config;
    }

    public Graph graph() {
        return graph;
    }

    public Tower text() {
        return text;
    }

    public Tower image() {
        return image;
    }

    /** The learnable log of the logit scale (a scalar; exp of it multiplies the cosine similarities). */
    public SDVariable logitScale() {
        return logitScale;
    }

    /** {@code logit_scale.exp() · cos(image_i, text_j)}, {@code [N_images, N_texts]}. */
    public SDVariable logitsPerImage() {
        return logits(graph, image.projected(), text.projected(), logitScale);
    }

    /** The symmetric contrastive loss over this graph's batch (feed {@link #TARGETS}). */
    public SDVariable contrastiveLoss() {
        return contrastiveLoss(graph, logitsPerImage(), graph.input(TARGETS, -1, -1));
    }

    // ------------------------------------------------------------------------------------------- inputs

    /** The text placeholders for token ids {@code [N, T]} (T ≤ the context length). */
    public static Map<String, INDArray> textInputs(ClipConfig config, INDArray ids) {
        return textInputs(config.text().contextLength(), ids);
    }

    /** The text placeholders for token ids {@code [N, T]}, T at most {@code context}. */
    public static Map<String, INDArray> textInputs(int context, INDArray ids) {
        long n = ids.size(0);
        long t = ids.size(1);
        if (t > context) {
            throw new dev.pictor.api.BadInputException(t + " tokens exceed the text context of " + context
                    + ": truncate them (the tokenizer's context)");
        }
        long[][] rows = dev.pictor.nn.inference.Buffers.rows(ids);
        float[][] pool = new float[(int) n][(int) t];
        for (int i = 0; i < n; i++) {
            pool[i][poolPosition(rows[i])] = 1f;
        }
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put(INPUT_IDS, ids.castTo(DataType.INT64));
        in.put(POSITION_IDS, Nd4j.arange(0, t).castTo(DataType.INT64));
        in.put(POOL, Nd4j.createFromArray(pool));
        return in;
    }

    /**
     * Where a text is pooled: the first position of its largest id, as upstream's {@code text.argmax(dim=-1)}.
     * The end-of-text token is the vocabulary's last id, so this is the end of the text.
     */
    public static int poolPosition(long[] ids) {
        int best = 0;
        for (int j = 1; j < ids.length; j++) {
            if (ids[j] > ids[best]) {
                best = j;
            }
        }
        return best;
    }

    /** Targets for a batch whose i-th image goes with its i-th text: the identity matrix {@code [N, N]}. */
    public static INDArray identityTargets(int n) {
        return Nd4j.eye(n).castTo(DataType.FLOAT);
    }

    // ------------------------------------------------------------------------------------------- towers

    /** The text transformer. */
    public static Tower text(Graph g, ClipConfig c, SDVariable ids, SDVariable positions, SDVariable pool) {
        ClipConfig.TextTower t = c.text();
        SDVariable x = new Embedding(t.vocabSize(), t.width(), 0.02)
                .apply(g, "text_model.embeddings.token_embedding", ids)
                .add(new Embedding(t.contextLength(), t.width(), 0.01)
                        .apply(g, "text_model.embeddings.position_embedding", positions));
        TransformerBlock block = textBlock(c);
        // causal and unpadded, as upstream: padding follows the end token, which sees none of it
        x = block.applyStack(g, TransformerStack.prefixes("text_model.encoder.layers", t.layers()), x, true);
        LayerNorm last = new LayerNorm(t.width(), c.layerNormEps());
        SDVariable tokens = last.apply(g, "text_model.final_layer_norm", x);
        // Upstream normalises every position, then takes the end token's row. LayerNorm works row by row, so
        // picking the row first (a product with the one-hot) and normalising it alone is the same number, and
        // training, which needs only the pooled row, normalises B rows instead of B·T.
        SameDiff sd = g.sameDiff();
        SDVariable picked = sd.squeeze(sd.mmul(sd.expandDims(pool, 1), x), 1);
        SDVariable pooled = last.apply(g, "text_model.final_layer_norm", picked);
        SDVariable projected = new Linear(t.width(), c.embedDim(), false).apply(g, "text_projection", pooled);
        initialiseText(g, c);
        return new Tower(tokens, pooled, projected);
    }

    /**
     * The names and shapes of the text tower's parameters, without allocating them; {@code projected} false leaves
     * out {@code text_projection} (a text-only checkpoint such as Stable Diffusion's text encoder has none).
     */
    public static Map<String, long[]> textShapes(ClipConfig c, boolean projected) {
        Graph g = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        text(g, c, g.input(INPUT_IDS, DataType.INT64, -1, -1), g.input(POSITION_IDS, DataType.INT64, -1),
                g.input(POOL, -1, -1));
        Map<String, long[]> shapes = new LinkedHashMap<>(g.shapes());
        if (!projected) {
            shapes.remove(TEXT_PROJECTION);
        }
        return shapes;
    }

    /** The image tower of the config's kind. */
    public static Tower image(Graph g, ClipConfig c, SDVariable pixels) {
        if (c.vision() instanceof VisionTransformer vit) {
            return vit(g, c, vit, pixels);
        }
        return resnet(g, c, (ModifiedResNet) c.vision(), pixels);
    }

    /** A text layer: pre-LN, causal, the config's activation, Hugging Face names. */
    public static TransformerBlock textBlock(ClipConfig c) {
        return new TransformerBlock(c.text().width(), c.text().heads(), c.text().mlpWidth(), c.activation(),
                TransformerBlock.Norm.PRE, c.layerNormEps(), TransformerBlock.Names.CLIP);
    }

    /** A ViT layer. */
    public static TransformerBlock visionBlock(ClipConfig c, VisionTransformer vit) {
        return new TransformerBlock(vit.width(), vit.heads(), vit.mlpWidth(), c.activation(), TransformerBlock.Norm.PRE,
                c.layerNormEps(), TransformerBlock.Names.CLIP);
    }

    private static Tower vit(Graph g, ClipConfig c, VisionTransformer vit, SDVariable pixels) {
        SameDiff sd = g.sameDiff();
        int w = vit.width();
        int patches = vit.grid() * vit.grid();
        double scale = 1 / Math.sqrt(w);
        // the patch embedding is a convolution whose stride is its kernel: one matrix product per patch
        SDVariable x = new Conv2d(3, w, vit.patchSize(), vit.patchSize(), 0, false)
                .apply(g, "vision_model.embeddings.patch_embedding", pixels);
        x = g.layout() == Graph.Layout.NCHW ? sd.permute(x.reshape(-1, w, patches), 0, 2, 1) : x.reshape(-1, patches, w);
        SDVariable cls = g.param("vision_model.embeddings.class_embedding", Init.normal(scale), w);
        // [N, 1, w]: the class embedding broadcast over the batch (a zeroed slice carries the batch size)
        SDVariable first = x.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all()).mul(0.0).add(cls);
        x = sd.concat(1, first, x);
        x = x.add(g.param("vision_model.embeddings.position_embedding.weight", Init.normal(scale), patches + 1, w));
        x = new LayerNorm(w, c.layerNormEps()).apply(g, "vision_model.pre_layrnorm", x);   // sic: transformers' name
        TransformerBlock block = visionBlock(c, vit);
        x = block.applyStack(g, TransformerStack.prefixes("vision_model.encoder.layers", vit.layers()), x, false);
        SDVariable tokens = x;
        SDVariable clsState = tokens.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
        SDVariable pooled = new LayerNorm(w, c.layerNormEps()).apply(g, "vision_model.post_layernorm", clsState);
        SDVariable projected = new Linear(w, c.embedDim(), false).apply(g, "visual_projection", pooled);
        g.reinitialize("visual_projection.weight", Init.normal(scale));
        return new Tower(tokens, pooled, projected);
    }

    private static Tower resnet(Graph g, ClipConfig c, ModifiedResNet rn, SDVariable pixels) {
        SameDiff sd = g.sameDiff();
        int half = rn.width() / 2;
        SDVariable x = pixels;
        x = convBnRelu(g, "visual", "1", 3, half, 2, x);
        x = convBnRelu(g, "visual", "2", half, half, 1, x);
        x = convBnRelu(g, "visual", "3", half, rn.width(), 1, x);
        x = new AvgPool2d(2).apply(g, x);
        long inplanes = rn.width();
        for (int stage = 0; stage < 4; stage++) {
            long planes = (long) rn.width() << stage;
            for (int b = 0; b < rn.layers().get(stage); b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                x = bottleneck(g, "visual.layer" + (stage + 1) + "." + b, inplanes, planes, stride, x);
                inplanes = planes * 4;
            }
        }
        long channels = inplanes;
        int positions = rn.grid() * rn.grid();
        SDVariable tokens = g.layout() == Graph.Layout.NCHW ? sd.permute(x.reshape(-1, channels, positions), 0, 2, 1)
                : x.reshape(-1, positions, channels);
        // attention pooling: the mean token, prepended, asks the map (queries from it alone)
        SDVariable seq = sd.concat(1, tokens.mean(true, 1), tokens);
        double std = 1 / Math.sqrt(channels);
        seq = seq.add(g.param("visual.attnpool.positional_embedding", Init.normal(std), positions + 1, channels));
        SDVariable query = seq.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all());
        SDVariable pooledSeq = new MultiHeadAttention(channels, rn.heads(), channels, c.embedDim(),
                new AttentionNames("q_proj", "k_proj", "v_proj", "c_proj")).apply(g, "visual.attnpool", query, seq, null,
                false);
        SDVariable projected = pooledSeq.reshape(-1, c.embedDim());
        for (String p : new String[] {"q_proj", "k_proj", "v_proj", "c_proj"}) {
            g.reinitialize("visual.attnpool." + p + ".weight", Init.normal(std));
        }
        return new Tower(tokens, null, projected);
    }

    private static SDVariable convBnRelu(Graph g, String prefix, String index, long in, long out, int stride,
            SDVariable x) {
        SDVariable y = new Conv2d(in, out, 3, stride, 1, false).apply(g, prefix + ".conv" + index, x);
        y = new BatchNorm2d(out).apply(g, prefix + ".bn" + index, y);
        return g.sameDiff().nn().relu(y, 0);
    }

    /** OpenAI's Bottleneck: 1×1, 3×3, average pool when strided, 1×1 to 4× planes; an anti-aliased shortcut. */
    private static SDVariable bottleneck(Graph g, String p, long inplanes, long planes, int stride, SDVariable x) {
        SameDiff sd = g.sameDiff();
        SDVariable out = new Conv2d(inplanes, planes, 1, 1, 0, false).apply(g, p + ".conv1", x);
        out = sd.nn().relu(new BatchNorm2d(planes).apply(g, p + ".bn1", out), 0);
        out = new Conv2d(planes, planes, 3, 1, 1, false).apply(g, p + ".conv2", out);
        out = sd.nn().relu(new BatchNorm2d(planes).apply(g, p + ".bn2", out), 0);
        out = new AvgPool2d(stride).apply(g, out);
        out = new Conv2d(planes, planes * 4, 1, 1, 0, false).apply(g, p + ".conv3", out);
        out = new BatchNorm2d(planes * 4).apply(g, p + ".bn3", out);
        g.reinitialize(p + ".bn3.weight", Init.zeros());   // upstream starts each block as the identity
        SDVariable identity = x;
        if (stride > 1 || inplanes != planes * 4) {
            identity = new AvgPool2d(stride).apply(g, x);
            identity = new Conv2d(inplanes, planes * 4, 1, 1, 0, false).apply(g, p + ".downsample.0", identity);
            identity = new BatchNorm2d(planes * 4).apply(g, p + ".downsample.1", identity);
        }
        return sd.nn().relu(out.add(identity), 0);
    }

    /** Upstream's initialisation of the text transformer, scaled by depth (the layers' defaults otherwise). */
    private static void initialiseText(Graph g, ClipConfig c) {
        int w = c.text().width();
        double projStd = Math.pow(w, -0.5) * Math.pow(2 * c.text().layers(), -0.5);
        double attnStd = Math.pow(w, -0.5);
        double fcStd = Math.pow(2 * w, -0.5);
        for (int i = 0; i < c.text().layers(); i++) {
            String p = "text_model.encoder.layers." + i + ".";
            for (String q : new String[] {"q_proj", "k_proj", "v_proj"}) {
                g.reinitialize(p + "self_attn." + q + ".weight", Init.normal(attnStd));
                g.reinitialize(p + "self_attn." + q + ".bias", Init.zeros());
            }
            g.reinitialize(p + "self_attn.out_proj.weight", Init.normal(projStd));
            g.reinitialize(p + "self_attn.out_proj.bias", Init.zeros());
            g.reinitialize(p + "mlp.fc1.weight", Init.normal(fcStd));
            g.reinitialize(p + "mlp.fc2.weight", Init.normal(projStd));
        }
        g.reinitialize("text_projection.weight", Init.normal(attnStd));
    }

    // ------------------------------------------------------------------------------------------- heads

    /** The log logit scale, initialised to log(1/0.07) as upstream. */
    public static SDVariable logitScale(Graph g) {
        return g.param("logit_scale", (v, r) -> java.util.Arrays.fill(v, (float) Math.log(1 / 0.07)));
    }

    /** Rows scaled to unit length ({@code x / ‖x‖}, as upstream: no epsilon). */
    public static SDVariable unit(Graph g, SDVariable x) {
        return x.mul(g.sameDiff().math().rsqrt(g.sameDiff().sum(g.sameDiff().math().square(x), true, 1)));
    }

    /** {@code exp(logScale) · unit(image) · unit(text)ᵀ}. */
    public static SDVariable logits(Graph g, SDVariable image, SDVariable text, SDVariable logScale) {
        SDVariable cos = g.sameDiff().mmul(unit(g, image), unit(g, text), false, true, false);
        return cos.mul(g.sameDiff().math().exp(logScale));
    }

    /**
     * CLIP's loss: the mean of the image→text and text→image cross-entropies, each row's target a distribution over
     * the batch ({@code targets [N, N]}; the identity for distinct pairs, spread over equal captions otherwise).
     */
    public static SDVariable contrastiveLoss(Graph g, SDVariable logitsPerImage, SDVariable targets) {
        SameDiff sd = g.sameDiff();
        SDVariable perImage = crossEntropy(g, logitsPerImage, targets);
        SDVariable perText = crossEntropy(g, sd.transpose(logitsPerImage), sd.transpose(targets));
        return perImage.add(perText).mul(0.5);
    }

    /** Mean over rows of {@code logsumexp(row) − Σ target·row}. */
    private static SDVariable crossEntropy(Graph g, SDVariable logits, SDVariable targets) {
        SameDiff sd = g.sameDiff();
        SDVariable max = sd.max(logits, true, 1);
        SDVariable lse = sd.math().log(sd.sum(sd.math().exp(logits.sub(max)), true, 1)).add(max);
        SDVariable picked = sd.sum(logits.mul(targets), true, 1);
        return sd.mean(lse.sub(picked));
    }
}
