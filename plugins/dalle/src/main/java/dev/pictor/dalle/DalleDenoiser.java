package dev.pictor.dalle;

import dev.pictor.api.BadInputException;
import dev.pictor.api.autoregressive.TokenRange;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DecodingSession;
import dev.pictor.api.spi.ImageTokenDenoiser;
import dev.pictor.api.spi.TokenBatch;
import dev.pictor.nn.Graph;
import dev.pictor.nn.inference.RowKernels;
import dev.pictor.nn.inference.TransformerStack;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DALL·E transformer for decoding: the parameters {@link DalleTransformer} defines, its layers on the fused
 * kernels ({@link TransformerStack}) with a key/value cache per {@link DecodingSession}, so each new token costs one
 * row through the stack. A session takes ids in the shared space ({@link DalleConfig}): the text positions' ids
 * (BPE and padding) first, then codes offset by {@link DalleConfig#imageOffset()}; the logits it returns cover
 * every id (the decoding loop narrows image positions to the codes).
 *
 * <pre>{@code
 * try (DecodingSession s = dalle.open(4, Condition.none())) {
 *     INDArray logits = s.feed(textIds);                 // [4, N] → logits for the first code
 * }
 * }</pre>
 */
public final class DalleDenoiser implements ImageTokenDenoiser {
    private final DalleConfig config;
    private final DalleTransformer textModel;
    private final TransformerStack stack;
    private final float[][] textEmbedding;
    private final float[][] textPositions;
    private final float[][] imageEmbedding;
    private final float[][] imagePositions;
    private final RowKernels.Norm finalNorm;
    private final RowKernels.Linear toLogits;

    public DalleDenoiser(DalleConfig config, Map<String, INDArray> weights) {
        this.config = config;
        DalleTransformer t = new DalleTransformer(config);
        this.textModel = t;
        Graph described = Graph.describing(DataType.FLOAT, Graph.Mode.INFER);
        t.logits(described, described.input("text", DataType.INT64, -1, config.textLength()),
                described.input("image", DataType.INT64, -1, config.imageTokens()));
        Map<String, long[]> given = new java.util.LinkedHashMap<>();
        weights.forEach((k, v) -> given.put(k, v.shape()));
        Graph.checkState(described.shapes(), given, false);   // one line naming a missing or misshapen tensor
        this.stack = TransformerStack.of(t.block(), TransformerStack.prefixes("transformer.layers", config.layers()),
                weights);
        textEmbedding = matrix(weights.get("text_emb.weight"));
        textPositions = matrix(weights.get("text_pos_emb.weight"));
        imageEmbedding = matrix(weights.get("image_emb.weight"));
        float[][] rows = matrix(weights.get("image_row_emb.weight"));
        float[][] cols = matrix(weights.get("image_col_emb.weight"));
        int s = config.imageSize();
        imagePositions = new float[s * s][config.width()];
        for (int r = 0; r < s; r++) {
            for (int c = 0; c < s; c++) {
                for (int d = 0; d < config.width(); d++) {
                    imagePositions[r * s + c][d] = rows[r][d] + cols[c][d];
                }
            }
        }
        finalNorm = RowKernels.layerNorm(weights.get("ln_f.weight"), weights.get("ln_f.bias"),
                DalleTransformer.EPS);
        toLogits = RowKernels.linear(weights.get("to_logits.weight"), weights.get("to_logits.bias"));
    }

    private static float[][] matrix(INDArray a) {
        return a.castTo(DataType.FLOAT).toFloatMatrix();
    }

    public DalleConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "dalle";
    }

    @Override
    public int vocabularySize() {
        return config.totalVocab();
    }

    /** The text positions as this model reads them: each padded position its own padding token. */
    @Override
    public INDArray prefix(TokenBatch text) {
        return Nd4j.createFromArray(textModel.textIds(text));
    }

    @Override
    public long[] codeGrid() {
        return new long[] {config.imageSize(), config.imageSize()};
    }

    @Override
    public TokenRange imageTokens() {
        return new TokenRange(config.imageOffset(), config.totalVocab());
    }

    @Override
    public int maxLength() {
        return config.sequenceLength();
    }

    @Override
    public DecodingSession open(int batch, Condition condition) {
        TransformerStack.Session session = stack.session(batch, config.sequenceLength());
        return new DecodingSession() {
            @Override
            public INDArray feed(INDArray tokens) {
                if (tokens.rank() != 2 || tokens.size(0) != batch) {
                    throw new IllegalArgumentException("expected token ids [" + batch + ", n], got "
                            + java.util.Arrays.toString(tokens.shape()));
                }
                int n = (int) tokens.size(1);
                int start = session.length();
                if (start + n > config.sequenceLength()) {
                    throw new IllegalStateException("feeding " + n + " tokens after " + start + " exceeds the "
                            + config.sequenceLength() + " positions of the transformer");
                }
                INDArray h = session.feed(embed(tokens.castTo(DataType.INT64).toLongMatrix(), start));
                INDArray last = h.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(n - 1),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');   // [B, d]
                finalNorm.apply(last);
                return toLogits.apply(last);
            }

            @Override
            public int length() {
                return session.length();
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    /** Token and position embeddings of ids at positions {@code start …}: {@code [B, n, d]}. */
    private INDArray embed(long[][] ids, int start) {
        int b = ids.length;
        int n = ids[0].length;
        int d = config.width();
        int textIds = config.textVocab() + config.textLength();
        float[] out = new float[b * n * d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                int p = start + j;
                long id = ids[i][j];
                float[] token;
                float[] position;
                if (p < config.textLength()) {
                    if (id < 0 || id >= textIds) {
                        throw new BadInputException("id " + id + " at text position " + p + " is not a text or"
                                + " padding token (those are [0, " + textIds + "))");
                    }
                    token = textEmbedding[(int) id];
                    position = textPositions[p];
                } else {
                    long code = id - config.imageOffset();
                    if (code < 0 || code >= config.imageVocab()) {
                        throw new BadInputException("id " + id + " at image position " + (p - config.textLength())
                                + " is not a code (those are [" + config.imageOffset() + ", " + config.totalVocab()
                                + "))");
                    }
                    token = imageEmbedding[(int) code];
                    position = imagePositions[p - config.textLength()];
                }
                int o = (i * n + j) * d;
                for (int k = 0; k < d; k++) {
                    out[o + k] = token[k] + position[k];
                }
            }
        }
        return Nd4j.create(out, new long[] {b, n, d}, 'c');
    }


    @Override
    public void close() {
        stack.close();
        finalNorm.close();
        toLogits.close();
    }
}
