package dev.pictor.dalle;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import dev.pictor.nn.inference.TransformerStack;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.Embedding;
import dev.pictor.nn.layers.LayerNorm;
import dev.pictor.nn.layers.Linear;
import dev.pictor.nn.layers.TransformerBlock;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * DALL·E's transformer, defined once on a {@link Graph}: decoder-only over text then image positions, with separate
 * token embeddings for text ({@code text_emb}: BPE and padding ids) and image codes ({@code image_emb}), a learned
 * position embedding for the text ({@code text_pos_emb}) and row plus column embeddings for the image grid
 * ({@code image_row_emb}, {@code image_col_emb}); causal pre-LN layers ({@code transformer.layers.N}, CLIP's layer
 * names), a final LayerNorm ({@code ln_f}) and logits over every id ({@code to_logits}). OpenAI never published this
 * network's code; the names follow DALLE-pytorch's where it has them. The training graph and the inference path
 * (the same parameters on {@link TransformerStack} with a key/value cache) both come from here.
 *
 * <pre>{@code
 * DalleTransformer t = new DalleTransformer(config);
 * Graph g = new Graph(DataType.FLOAT, 0, Graph.Mode.TRAIN);
 * SDVariable logits = t.logits(g, g.input("text", DataType.INT64, -1, 16), g.input("image", DataType.INT64, -1, 63));
 * }</pre>
 */
public final class DalleTransformer {
    /** Every LayerNorm's ε (the layers' and ln_f), as PyTorch's default. */
    public static final double EPS = 1e-5;

    private final DalleConfig c;

    public DalleTransformer(DalleConfig config) {
        this.c = config;
    }

    public DalleConfig config() {
        return c;
    }

    /** A layer: pre-LN, causal, GELU MLP four times as wide. */
    public TransformerBlock block() {
        return new TransformerBlock(c.width(), c.heads(), 4L * c.width(), Activation.GELU, TransformerBlock.Norm.PRE,
                EPS, TransformerBlock.Names.CLIP);
    }

    /**
     * Logits {@code [B, N + m, totalVocab]} for every position of the sequence {@code text} ({@code [B, N]} ids in
     * {@code [0, textVocab + N)}: BPE or padding) then {@code image} ({@code [B, m]} codes in {@code [0, K)}, m
     * fixed by the input's declared shape, at most the grid): position p's row predicts token p + 1.
     */
    public SDVariable logits(Graph g, SDVariable text, SDVariable image) {
        var sd = g.sameDiff();
        long m = image.getShape()[1];
        SDVariable t = new Embedding(c.textVocab() + c.textLength(), c.width(), 0.02).apply(g, "text_emb", text)
                .add(g.param("text_pos_emb.weight", Init.normal(0.02), c.textLength(), c.width()));
        SDVariable i = new Embedding(c.imageVocab(), c.width(), 0.02).apply(g, "image_emb", image)
                .add(imagePositions(g).get(SDIndex.interval(0L, m)));
        SDVariable x = sd.concat(1, t, i);
        x = block().applyStack(g, TransformerStack.prefixes("transformer.layers", c.layers()), x, true);
        x = new LayerNorm(c.width(), EPS).apply(g, "ln_f", x);
        return new Linear(c.width(), c.totalVocab(), true).apply(g, "to_logits", x);
    }

    /**
     * The text positions of a tokenised batch as this model reads them: each padded position (attention mask 0)
     * holds its own padding token ({@link DalleConfig#padId}), as DALL·E pads. {@code [B, N]} INT64; the batch must
     * be N wide (a tokenizer with context length N truncates longer texts).
     */
    public long[][] textIds(dev.pictor.api.spi.TokenBatch batch) {
        if (batch.inputIds().size(1) != c.textLength()) {
            throw new dev.pictor.api.BadInputException("the text is tokenised to " + batch.inputIds().size(1)
                    + " positions; this transformer reads " + c.textLength() + ": use a tokenizer with contextLength "
                    + c.textLength());
        }
        long[][] ids = batch.inputIds().toLongMatrix();
        long[][] mask = batch.attentionMask().toLongMatrix();
        for (int b = 0; b < ids.length; b++) {
            for (int p = 0; p < ids[b].length; p++) {
                if (mask[b][p] == 0) {
                    ids[b][p] = c.padId(p);
                } else if (ids[b][p] < 0 || ids[b][p] >= c.textVocab()) {
                    throw new dev.pictor.api.BadInputException("text token " + ids[b][p] + " is outside this model's"
                            + " BPE vocabulary of " + c.textVocab() + ": not the tokenizer it was trained with");
                }
            }
        }
        return ids;
    }

    /** Row plus column embeddings of the grid's positions in reading order, {@code [s², width]}. */
    SDVariable imagePositions(Graph g) {
        int s = c.imageSize();
        SDVariable rows = g.param("image_row_emb.weight", Init.normal(0.02), s, c.width());
        SDVariable cols = g.param("image_col_emb.weight", Init.normal(0.02), s, c.width());
        return rows.reshape(s, 1, c.width()).add(cols.reshape(1, s, c.width())).reshape(s * s, c.width());
    }
}
