package dev.pictor.nn.train;

import dev.pictor.nn.onednn.Kernels;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Float32 arrays read and written as the flat buffers they are, for optimiser loops without per-op overhead. */
final class Dense {
    private Dense() {
    }

    /** Whether every array is float32, C-ordered and exactly covers its buffer from the start. */
    static boolean floats(INDArray... arrays) {
        for (INDArray a : arrays) {
            // whole (what a kernel may address from the buffer's start) and exactly the buffer, no longer
            if (a.dataType() != DataType.FLOAT || !Kernels.isWhole(a) || a.data().length() != a.length()
                    || a.length() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** The array's buffer as floats (no copy; writes go to the array). */
    static FloatBuffer of(INDArray a) {
        return a.data().asNioFloat();
    }
}
