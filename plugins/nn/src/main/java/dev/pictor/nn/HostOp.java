package dev.pictor.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An op of a {@link Graph} computed in Java (on oneDNN kernels) instead of by ND4J's native op registry:
 * {@link GraphExecutor} calls {@link #compute} where it would execute the op natively. Such ops exist only where
 * a fused kernel replaces many graph ops (a whole transformer stack when training); SameDiff's own executor cannot
 * run them, so graphs that hold one run through {@link GraphExecutor}.
 */
public interface HostOp {
    /**
     * The op's outputs for these inputs (in argument order); arrays the op may own and overwrite on its next call.
     */
    INDArray[] compute(INDArray[] inputs);
}
