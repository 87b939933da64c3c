package dev.pictor.clip;

import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.nn.onednn.OneDnn;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CLIP's text tower as an {@link Encoder}: token states, their mask, the end-of-text state (pooled) and its
 * projection into the joint space, from one forward. Runs on the fused engine ({@link ClipTextInference}) where
 * oneDNN is available, else on the graph ({@link ClipModel}). Call from one thread at a time; close it.
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
    private ClipTextInference fused;
    private ClipModel graph;

    /** @param weights ClipModel's names (through {@link ClipCheckpoint}) */
    public ClipTextEncoder(ClipConfig config, Map<String, INDArray> weights) {
        this.config = config;
        this.logitScale = Math.exp(ClipTextInference.param(weights, "logit_scale").getDouble(0));
        if (OneDnn.available()) {
            fused = new ClipTextInference(config, weights);
        } else {
            graph = new ClipModel(config, dev.pictor.nn.Graph.Mode.INFER, 0);
            graph.graph().load(weights, true);
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
        return EnumSet.allOf(Output.class);
    }

    @Override
    public long dimension(Output output) {
        return switch (output) {
            case TOKENS, POOLED -> config.text().width();
            case PROJECTED -> config.embedDim();
            case MASK -> -1;
        };
    }

    /** The logit scale the model learned, {@code exp(logit_scale)} (what zero-shot classification multiplies by). */
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
            var g = graph.graph();
            var out = g.output(ClipModel.textInputs(config, batch.inputIds()), graph.text().tokens(),
                    graph.text().pooled(), graph.text().projected());
            t = out.get(graph.text().tokens().name());
            pooled = out.get(graph.text().pooled().name());
            projected = out.get(graph.text().projected().name());
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
