package dev.pictor.dalle;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.DiscreteQuantizer;
import dev.pictor.nn.Graph;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The dVAE as the pipeline's discrete quantizer: {@link #encode} gives each cell its most likely code (the argmax
 * of the encoder's logits, as DALL·E tokenises images for its transformer); {@link #decode} maps codes to pixels —
 * the decoder on one-hot codes, each pixel the logit-Laplace's mean ({@code sigmoid}, then upstream's
 * {@code unmap_pixels}). Weights in upstream's names under {@code encoder.} and {@code decoder.}. Images in
 * [−1, 1] like every quantizer's ({@link dev.pictor.api.spi.Quantizer}).
 *
 * <pre>{@code
 * DvaeQuantizer dvae = new DvaeQuantizer(DvaeConfig.read(dir.resolve("config.json")),
 *         Safetensors.read(dir.resolve("model.safetensors")));
 * INDArray codes = dvae.encode(images);    // [N, 8, 8] INT64
 * INDArray back = dvae.decode(codes);      // [N, 3, 32, 32] in [-1, 1]
 * }</pre>
 */
public final class DvaeQuantizer implements DiscreteQuantizer {
    private final DvaeConfig config;
    private final Graph encoder;
    private final SDVariable logits;
    private final Graph decoder;
    private final SDVariable stats;

    public DvaeQuantizer(DvaeConfig config, Map<String, INDArray> weights) {
        this.config = config;
        DiscreteVae dvae = new DiscreteVae(config);
        int r = config.resolution();
        int s = config.codeSize();
        encoder = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
        SDVariable image = encoder.input("image", -1, config.channels(), r, r);
        // [-1, 1] → [0, 1] → map_pixels
        logits = dvae.encode(encoder, "encoder", DiscreteVae.mapPixels(image.add(1).mul(0.5)));
        encoder.load(weights, false);
        decoder = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
        stats = dvae.decode(decoder, "decoder", decoder.input("codes", -1, config.vocabSize(), s, s));
        decoder.load(weights, false);
    }

    public DvaeConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "dvae";
    }

    @Override
    public int imageChannels() {
        return config.channels();
    }

    @Override
    public int codebookSize() {
        return config.vocabSize();
    }

    @Override
    public long[] latentShape(long[] imageShape) {
        int r = config.resolution();
        if (imageShape.length != 3 || imageShape[0] != config.channels() || imageShape[1] != r || imageShape[2] != r) {
            throw new BadInputException("this dVAE takes images of " + config.channels() + " × " + r + " × " + r
                    + ", got " + Arrays.toString(imageShape));
        }
        return new long[] {config.codeSize(), config.codeSize()};
    }

    /** The encoder's logits over the codebook, {@code [N, K, s, s]}. */
    public INDArray logits(INDArray images) {
        int r = config.resolution();
        if (images.rank() != 4 || images.size(1) != config.channels() || images.size(2) != r || images.size(3) != r) {
            throw new BadInputException("expected images [batch, " + config.channels() + ", " + r + ", " + r
                    + "], got " + Arrays.toString(images.shape()) + ": resize them to " + r + " pixels");
        }
        return encoder.output(Map.of("image", images.castTo(DataType.FLOAT)), logits);
    }

    @Override
    public INDArray encode(INDArray images) {
        return logits(images).argMax(1).castTo(DataType.INT64);
    }

    @Override
    public INDArray decode(INDArray codes) {
        int s = config.codeSize();
        if (codes.rank() != 3 || codes.size(1) != s || codes.size(2) != s) {
            throw new BadInputException("expected codes [batch, " + s + ", " + s + "], got "
                    + Arrays.toString(codes.shape()));
        }
        return decodeDistributions(oneHot(codes));
    }

    /** Decodes distributions over the codebook {@code [N, K, s, s]} (one-hot codes, or soft ones) to images. */
    public INDArray decodeDistributions(INDArray distributions) {
        INDArray out = decoder.output(Map.of("codes", distributions.castTo(DataType.FLOAT)), stats);
        long c = config.channels();
        var all = org.nd4j.linalg.indexing.NDArrayIndex.all();
        INDArray mean = out.get(all, org.nd4j.linalg.indexing.NDArrayIndex.interval(0, c), all, all);
        // sigmoid, then unmap_pixels: clamp((p − ε) / (1 − 2ε), 0, 1); then to [−1, 1]
        double eps = DiscreteVae.LOGIT_LAPLACE_EPS;
        INDArray p = Transforms.sigmoid(mean, true).subi(eps).divi(1 - 2 * eps);
        return Transforms.min(Transforms.max(p, 0, false), 1, false).muli(2).subi(1);
    }

    private INDArray oneHot(INDArray codes) {
        int k = config.vocabSize();
        long n = codes.size(0);
        int s = config.codeSize();
        long[] ids = codes.castTo(DataType.INT64).dup('c').data().asLong();
        float[] hot = new float[(int) (n * k * s * s)];
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id < 0 || id >= k) {
                throw new BadInputException("code " + id + " at position " + i + " is outside the codebook [0, " + k
                        + "): codes come from this dVAE's encoder or a model trained on it");
            }
            int b = i / (s * s);
            int cell = i % (s * s);
            hot[(int) ((b * k + id) * s * s + cell)] = 1;
        }
        return Nd4j.create(hot, new long[] {n, k, s, s}, 'c');
    }
}
