package dev.pictor.api.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Image &#8644; latent: discrete codes (a dVAE) or continuous latents (a KL autoencoder).
 *
 * <p><b>Contract.</b> Images are {@code [batch, channels, height, width]} FLOAT in {@code [-1, 1]}.
 * {@link #encode} returns latents: for a discrete quantizer {@code [batch, h, w]} INT64 code ids in
 * {@code [0, codebookSize())}; for a continuous one {@code [batch, c, h, w]} FLOAT. {@link #decode} inverts it.
 * Results are new arrays owned by the caller; inputs stay the caller's. An image of the wrong size is a
 * {@code BadInputException} naming the size expected.
 *
 * <p><b>Threads.</b> Safe to call from one thread at a time unless the implementation says more; weights are
 * read-only after construction, so separate instances may run in parallel.
 *
 * <pre>{@code
 * INDArray codes = dvae.encode(images);     // [4, 8, 8] INT64
 * INDArray again = dvae.decode(codes);      // [4, 3, 32, 32] FLOAT
 * }</pre>
 */
public interface Quantizer extends Component {

    /** Whether latents are discrete code ids. */
    boolean discrete();

    /** Codebook size for a discrete quantizer; 0 for a continuous one. */
    int codebookSize();

    /** The latent shape (without batch) for an image of the given {@code [channels, height, width]}. */
    long[] latentShape(long[] imageShape);

    /** Image batch to latents. */
    INDArray encode(INDArray images);

    /** Latents to image batch. */
    INDArray decode(INDArray latents);
}
