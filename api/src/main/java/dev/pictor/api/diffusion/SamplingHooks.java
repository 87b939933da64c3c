package dev.pictor.api.diffusion;

import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a caller watches and controls during a sampling run: progress (one unit a step), cancellation (checked
 * before every step) and a preview of each step's denoised estimate.
 *
 * <pre>{@code
 * SamplingHooks hooks = SamplingHooks.none()
 *         .withProgress((stage, done, total) -> bar.update(done, total))
 *         .withPreview((step, of, sigma, x0) -> saveThumbnail(step, x0));
 * }</pre>
 *
 * @param progress     told "sampling", steps done, steps in all
 * @param cancellation checked before every step
 * @param preview      given the denoised estimate after every step
 */
public record SamplingHooks(ProgressListener progress, Cancellation cancellation, Preview preview) {

    /** Sees each step's denoised estimate x̂₀ (not to be modified or kept past the call). */
    @FunctionalInterface
    public interface Preview {
        Preview NONE = (step, of, sigma, denoised) -> {
        };

        /**
         * @param step     steps done, 1-based
         * @param of       steps in the run
         * @param sigma    the noise level the estimate was made at
         * @param denoised x̂₀, {@code [batch, …]}
         */
        void onStep(int step, int of, double sigma, INDArray denoised);
    }

    public SamplingHooks {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(cancellation, "cancellation");
        Objects.requireNonNull(preview, "preview");
    }

    /** Nothing watched, never cancelled. */
    public static SamplingHooks none() {
        return new SamplingHooks(ProgressListener.NONE, Cancellation.never(), Preview.NONE);
    }

    public SamplingHooks withProgress(ProgressListener p) {
        return new SamplingHooks(p, cancellation, preview);
    }

    public SamplingHooks withCancellation(Cancellation c) {
        return new SamplingHooks(progress, c, preview);
    }

    public SamplingHooks withPreview(Preview p) {
        return new SamplingHooks(progress, cancellation, p);
    }
}
