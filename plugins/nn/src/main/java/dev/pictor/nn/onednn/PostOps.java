package dev.pictor.nn.onednn;

import java.util.ArrayList;
import java.util.List;

/**
 * What a kernel does to its result before writing it, in order: an output scale, then element-wise activations
 * and binary adds (a residual, an attention mask). Fusing them saves a full pass over the output each.
 *
 * <pre>{@code
 * PostOps.none().gelu();                        // Linear + exact GELU
 * PostOps.none().add(View.dense(672, 384));     // Linear + residual: bind Args.postOp(0)
 * PostOps.none().scale(0.177f).add(maskView);   // attention scores: Q·Kᵀ/√d + mask
 * PostOps.none().accumulate().then(RELU);       // conv + what the output buffer holds (a residual), then ReLU
 * }</pre>
 */
public final class PostOps {
    /** An element-wise activation oneDNN computes in its kernels. */
    public enum Eltwise {
        /** Exact GELU, {@code x·Φ(x)} with erf. */
        GELU_ERF(org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_gelu_erf, 0f),
        /** CLIP's {@code x·σ(1.702x)}: oneDNN's swish with α = 1.702. */
        QUICK_GELU(org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_swish, 1.702f),
        /** {@code x·σ(x)}. */
        SILU(org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_swish, 1f),
        /** {@code max(0, x)}. */
        RELU(org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu, 0f);

        final int algorithm;
        final float alpha;

        Eltwise(int algorithm, float alpha) {
            this.algorithm = algorithm;
            this.alpha = alpha;
        }
    }

    /**
     * One step: an activation, a binary add (or, with {@code multiply}, product) reading {@code operand}, or (sum)
     * adding the output buffer's contents.
     */
    record Step(Eltwise eltwise, View operand, boolean sum, boolean multiply) {
    }

    private final float scale;
    private final List<Step> steps;

    private PostOps(float scale, List<Step> steps) {
        this.scale = scale;
        this.steps = List.copyOf(steps);
    }

    public static PostOps none() {
        return new PostOps(1f, List.of());
    }

    /** Multiplies the result by {@code s} before the other steps. */
    public PostOps scale(float s) {
        return new PostOps(s, steps);
    }

    /** Applies an activation. */
    public PostOps then(Eltwise e) {
        List<Step> next = new ArrayList<>(steps);
        next.add(new Step(e, null, false, false));
        return new PostOps(scale, next);
    }

    public PostOps gelu() {
        return then(Eltwise.GELU_ERF);
    }

    /**
     * Adds a tensor of the result's rank, each dimension equal to the result's or 1 (broadcast); bind it as
     * {@link Args#postOp(int)} with this step's index in the chain.
     */
    public PostOps add(View operand) {
        List<Step> next = new ArrayList<>(steps);
        next.add(new Step(null, operand, false, false));
        return new PostOps(scale, next);
    }

    /**
     * Multiplies by a tensor of the result's rank (broadcast as {@link #add}); bind it as {@link Args#postOp(int)}.
     * A gated unit ({@code x · GELU(gate)}) is one product with this step reading the activated gate.
     */
    public PostOps multiply(View operand) {
        List<Step> next = new ArrayList<>(steps);
        next.add(new Step(null, operand, false, true));
        return new PostOps(scale, next);
    }

    /**
     * Adds what the output buffer holds before the kernel writes it (oneDNN's "sum" post-op): a residual computed
     * in place, with no second operand to bind. Kernels that refuse a binary add often take this one, and it reads
     * the same bytes.
     */
    public PostOps accumulate() {
        List<Step> next = new ArrayList<>(steps);
        next.add(new Step(null, null, true, false));
        return new PostOps(scale, next);
    }

    float outputScale() {
        return scale;
    }

    List<Step> steps() {
        return steps;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(scale == 1f ? "" : "scale " + scale);
        for (Step s : steps) {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.eltwise() != null ? s.eltwise().name().toLowerCase()
                    : s.sum() ? "accumulate" : (s.multiply() ? "multiply " : "add ") + s.operand());
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
