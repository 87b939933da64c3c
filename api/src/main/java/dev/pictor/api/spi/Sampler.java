package dev.pictor.api.spi;

import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loop that turns noise (or a prompt prefix) into a sample by calling a {@link Denoiser} step after step:
 * DDPM, DDIM, Euler, DPM-Solver++, or top-k/top-p autoregressive decoding.
 *
 * <p><b>Contract.</b> {@link #sample} draws its randomness only from {@link SamplingRequest#seed()}, so the same
 * request, denoiser and device give the same result bit for bit. It reports each step to {@code progress}
 * and checks {@code cancellation} between steps (throwing {@link dev.pictor.api.run.CancelledException}).
 * The result is a new array owned by the caller. A sampler keeps no state between calls: one instance may
 * serve several threads.
 *
 * <pre>{@code
 * INDArray latents = ddim.sample(unet, SamplingRequest.builder(new long[] {1, 4, 8, 8})
 *         .seed(7).steps(20).guidance(4.0).condition(c).build(), ProgressListener.NONE, Cancellation.never());
 * }</pre>
 */
public interface Sampler extends Component {

    /** Runs the sampling loop. */
    INDArray sample(Denoiser denoiser, SamplingRequest request, ProgressListener progress,
            Cancellation cancellation);
}
