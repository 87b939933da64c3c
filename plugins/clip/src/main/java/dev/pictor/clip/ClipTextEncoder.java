package dev.pictor.clip;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.nn.Graph;
import dev.pictor.nn.onednn.OneDnn;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP's text tower as an {@link Encoder}: token states, their mask, the end-of-text state (pooled) and its
 * projection into the joint space, from one forward. Runs on the fused engine ({@link ClipTextInference}) where
 * oneDNN is available, else on the graph ({@link ClipModel}). Text-only weights — a text tower without
 * {@code text_projection}, as Stable Diffusion 1.x ships {@link ClipConfig#VIT_L_14}'s — give token states, mask and
 * pooled states, no projection. Call from one thread at a time; close it.
 *
 * <pre>{@code
 * var text = new ClipTextEncoder(ClipConfig.read(dir.resolve("config.json")),
 *         ClipCheckpoint.read(dir.resolve("model.safetensors")));
 * INDArray v = text.encode(tokenizer.encodeBatch(List.of("a red circle")), Set.of(Output.PROJECTED))
 *         .get(Output.PROJECTED);   // [1, embed]
 * }</pre>
 */
public final class ClipTextEncoder implements Encoder<TokenBatch> {
    private final ClipConfig config;
    private final double logitScale;
    private final boolean projects;
    private ClipTextInference fused;
    private Graph graph;
    private ClipModel.Tower tower;

    /** @param weights ClipModel's names (through {@link ClipCheckpoint}), both towers' or the text tower's alone */
    public ClipTextEncoder(ClipConfig config, Map<String, INDArray> weights) {
        this.config = config;
        this.projects = weights.containsKey(ClipModel.TEXT_PROJECTION);
        this.logitScale = projects ? Math.exp(ClipTextInference.param(weights, "logit_scale").getDouble(0))
                : Double.NaN;
        if (OneDnn.available()) {
            fused = new ClipTextInference(config, weights);
        } else {
            // the text tower alone: a text-only checkpoint has no image tower to load
            graph = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
            tower = ClipModel.text(graph, config, graph.input(ClipModel.INPUT_IDS, DataType.INT64, -1, -1),
                    graph.input(ClipModel.POSITION_IDS, DataType.INT64, -1), graph.input(ClipModel.POOL, -1, -1));
            Map<String, INDArray> state = new LinkedHashMap<>(weights);
            if (!projects) {
                // never read: PROJECTED is not offered without a projection
                state.put(ClipModel.TEXT_PROJECTION, Nd4j.zeros(DataType.FLOAT, config.embedDim(),
                        config.text().width()));
            }
            graph.load(state, false);   // the image tower's weights and logit_scale are not this graph's
        }
    }

    @Override
    public String name() {
        return "clip-text";
    }

    @Override
    public Class<TokenBatch> inputType() {
        return TokenBatch.class;
    }

    @Override
    public Set<Output> outputs() {
        return projects ? EnumSet.allOf(Output.class) : EnumSet.of(Output.TOKENS, Output.MASK, Output.POOLED);
    }

    @Override
    public long dimension(Output output) {
        return switch (output) {
            case TOKENS, POOLED -> config.text().width();
            case PROJECTED -> config.embedDim();
            case MASK -> -1;
        };
    }

    /**
     * The logit scale the model learned, {@code exp(logit_scale)} (what zero-shot classification multiplies by);
     * NaN for text-only weights.
     */
    public double logitScale() {
        return logitScale;
    }

    @Override
    public Encodings encode(TokenBatch batch, Set<Output> wanted) {
        Encodings.check(this, wanted);
        boolean tokens = wanted.contains(Output.TOKENS);
        INDArray t;
        INDArray pooled;
        INDArray projected;
        if (fused != null) {
            ClipTextInference.Result r = fused.encode(batch.inputIds(), tokens);
            t = r.tokens();
            pooled = r.pooled();
            projected = r.projected();
        } else {
            var out = graph.output(ClipModel.textInputs(config, batch.inputIds()), tower.tokens(), tower.pooled(),
                    tower.projected());
            t = out.get(tower.tokens().name());
            pooled = out.get(tower.pooled().name());
            projected = out.get(tower.projected().name());
        }
        Encodings.Builder b = Encodings.builder(name());
        if (tokens) {
            b.put(Output.TOKENS, t);
        }
        if (wanted.contains(Output.MASK)) {
            b.put(Output.MASK, batch.attentionMask().castTo(DataType.INT64));
        }
        if (wanted.contains(Output.POOLED)) {
            b.put(Output.POOLED, pooled);
        }
        if (wanted.contains(Output.PROJECTED)) {
            b.put(Output.PROJECTED, projected);
        }
        return b.build();
    }

    @Override
    public void close() {
        if (fused != null) {
            fused.close();
        }
    }
}
