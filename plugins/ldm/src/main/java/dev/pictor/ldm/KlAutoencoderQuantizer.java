package dev.pictor.ldm;

import dev.pictor.api.BadInputException;
import dev.pictor.api.spi.ContinuousQuantizer;
import dev.pictor.nn.Graph;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained {@link KlAutoencoder} as the generation core's {@link ContinuousQuantizer} (component
 * {@code kl-autoencoder}): images in [−1, 1] to the posterior over latents, and scaled latents back to images, each
 * on the model's float32 inference graph. The scale factor is the config's ({@code scale_factor}, 1/std of the
 * training latents). Not thread-safe.
 *
 * <pre>{@code
 * try (var vae = new KlAutoencoderQuantizer(AutoencoderConfig.read(dir.resolve("config.json")),
 *         Safetensors.read(dir.resolve("model.safetensors")))) {
 *     INDArray z = vae.encode(images, GaussianNoise.forSeeds(1, n));   // [n, 4, 8, 8], scaled
 *     INDArray x = vae.decode(z);
 * }
 * }</pre>
 */
public final class KlAutoencoderQuantizer implements ContinuousQuantizer {
    private final AutoencoderConfig config;
    private final Graph encoder;
    private final SDVariable moments;
    private final Graph decoder;
    private final SDVariable image;

    public KlAutoencoderQuantizer(AutoencoderConfig config, Map<String, INDArray> weights) {
        this.config = config;
        KlAutoencoder ae = new KlAutoencoder(config);
        int r = config.resolution();
        int l = config.latentSize();
        encoder = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
        moments = ae.encode(encoder, encoder.input("image", -1, config.inChannels(), r, r));
        encoder.load(subset(weights, encoder), true);
        decoder = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
        image = ae.decode(decoder, decoder.input("latent", -1, config.embedDim(), l, l));
        decoder.load(subset(weights, decoder), true);
    }

    /** The entries of {@code weights} that {@code g} has (the checkpoint holds both halves). */
    private static Map<String, INDArray> subset(Map<String, INDArray> weights, Graph g) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : g.shapes().keySet()) {
            INDArray w = weights.get(name);
            if (w == null) {
                throw new BadInputException("autoencoder weights lack " + name + ": not this config's autoencoder");
            }
            out.put(name, w);
        }
        return out;
    }

    public AutoencoderConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "kl-autoencoder";
    }

    @Override
    public int imageChannels() {
        return config.inChannels();
    }

    @Override
    public int latentChannels() {
        return config.embedDim();
    }

    @Override
    public double scalingFactor() {
        return config.scaleFactor();
    }

    @Override
    public long[] latentShape(long[] imageShape) {
        if (imageShape.length != 3 || imageShape[0] != config.inChannels() || imageShape[1] % config.factor() != 0
                || imageShape[2] % config.factor() != 0) {
            throw new BadInputException("this autoencoder takes images of " + config.inChannels() + " channels with"
                    + " sides divisible by " + config.factor() + ", got " + Arrays.toString(imageShape));
        }
        return new long[] {config.embedDim(), imageShape[1] / config.factor(), imageShape[2] / config.factor()};
    }

    @Override
    public Posterior posterior(INDArray images) {
        int r = config.resolution();
        if (images.rank() != 4 || images.size(1) != config.inChannels() || images.size(2) != r
                || images.size(3) != r) {
            throw new BadInputException("expected images [batch, " + config.inChannels() + ", " + r + ", " + r
                    + "], got " + Arrays.toString(images.shape()) + ": resize them to " + r + " pixels");
        }
        INDArray m = encoder.output(Map.of("image", images.castTo(DataType.FLOAT)), moments);
        long e = config.embedDim();
        var all = org.nd4j.linalg.indexing.NDArrayIndex.all();
        return new Posterior(m.get(all, org.nd4j.linalg.indexing.NDArrayIndex.interval(0, e), all, all).dup(),
                m.get(all, org.nd4j.linalg.indexing.NDArrayIndex.interval(e, 2 * e), all, all).dup());
    }

    @Override
    public INDArray decode(INDArray latents) {
        int l = config.latentSize();
        if (latents.rank() != 4 || latents.size(1) != config.embedDim() || latents.size(2) != l
                || latents.size(3) != l) {
            throw new BadInputException("expected latents [batch, " + config.embedDim() + ", " + l + ", " + l
                    + "], got " + Arrays.toString(latents.shape()));
        }
        INDArray unscaled = latents.castTo(DataType.FLOAT).div(config.scaleFactor());
        return decoder.output(Map.of("latent", unscaled), image).dup();
    }
}
