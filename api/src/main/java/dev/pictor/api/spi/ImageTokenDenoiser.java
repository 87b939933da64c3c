package dev.pictor.api.spi;

import dev.pictor.api.autoregressive.TokenRange;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An autoregressive denoiser that draws a picture as tokens after its text: the prompt's tokens (laid out as the
 * model reads them) are the prefix, then one code of a {@link DiscreteQuantizer}'s grid a step in reading order,
 * each drawn from {@link #imageTokens()} alone — DALL·E. {@code generate} decodes these with the
 * {@link dev.pictor.api.autoregressive.AutoregressiveLoop} and turns the codes into pixels with the pipeline's
 * quantizer; the layout of the text positions (padding, special tokens) stays the model's business.
 *
 * <pre>{@code
 * INDArray prefix = dalle.prefix(tokenizer.encodeBatch(List.of("a red circle")));   // [1, N]
 * long[][] ids = AutoregressiveLoop.run(dalle, sampler, DecodingRequest.builder(prefix, 64)
 *         .allowed(p -> dalle.imageTokens()).build(), ProgressListener.NONE, Cancellation.never());
 * }</pre>
 */
public interface ImageTokenDenoiser extends AutoregressiveDenoiser {

    /** The text positions' ids for a tokenised batch: {@code [batch, N]} INT64, what decoding starts from. */
    INDArray prefix(TokenBatch text);

    /** The code grid {@code [h, w]} the image tokens fill, row by row. */
    long[] codeGrid();

    /** The ids of image tokens: code {@code c} is id {@code imageTokens().from() + c}. */
    TokenRange imageTokens();
}
