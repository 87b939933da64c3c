package dev.pictor.nn.fused;

import java.util.Map;

/** Kernels behind a fused op: their settings, which the op stores as properties (see {@link FusedOps}). */
interface FusedKernels {
    /** The settings, from which {@link FusedOps.Kind#fromProperties} builds equal kernels. */
    Map<String, Object> properties();
}
