package dev.pictor.api.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A quantizer to code ids (a dVAE): {@link #encode} gives {@code [batch, h, w]} INT64 ids in
 * {@code [0, codebookSize())} (the most likely code per cell); {@link #decode} maps ids back to images.
 *
 * <pre>{@code
 * INDArray codes = dvae.encode(images);     // [4, 8, 8] INT64
 * INDArray again = dvae.decode(codes);      // [4, 3, 32, 32] FLOAT
 * }</pre>
 */
public non-sealed interface DiscreteQuantizer extends Quantizer {

    /** Number of codes K. */
    int codebookSize();

    /** Image batch to code ids. */
    INDArray encode(INDArray images);
}
