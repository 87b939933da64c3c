package dev.pictor.text;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A sparse matrix in compressed sparse row (CSR) form: row {@code r}'s non-zero entries are
 * {@code columns[rowStart[r] .. rowStart[r+1])} with the same range of {@code values}. Bag-of-words vectors have
 * a handful of non-zeros among thousands of columns; this keeps them small until a dense array is needed.
 *
 * @param rows     number of rows
 * @param width    number of columns
 * @param rowStart {@code rows + 1} offsets into columns/values
 * @param columns  column of each non-zero, ascending within a row
 * @param values   value of each non-zero
 *
 * <pre>{@code
 * SparseRows s = bagOfWords.encodeSparse(batch);
 * s.nonZeros();            // far fewer than rows * width
 * INDArray dense = s.toDense();
 * }</pre>
 */
public record SparseRows(int rows, int width, int[] rowStart, int[] columns, float[] values) {
    public SparseRows {
        if (rowStart.length != rows + 1 || columns.length != values.length || rowStart[rows] != columns.length) {
            throw new IllegalArgumentException("inconsistent CSR arrays");
        }
        rowStart = rowStart.clone();
        columns = columns.clone();
        values = values.clone();
    }

    /** Number of stored entries. */
    public int nonZeros() {
        return columns.length;
    }

    /** The value at (row, column). */
    public float get(int row, int column) {
        int at = Arrays.binarySearch(columns, rowStart[row], rowStart[row + 1], column);
        return at >= 0 ? values[at] : 0f;
    }

    /**
     * A new dense {@code [rows, width]} FLOAT array; writes only the non-zeros after a native zero fill. A result
     * of over {@code Integer.MAX_VALUE} elements is refused: keep such data sparse.
     */
    public INDArray toDense() {
        if ((long) rows * width > Integer.MAX_VALUE) {
            throw new dev.pictor.api.BadInputException("a dense [" + rows + ", " + width + "] array is too large:"
                    + " encode fewer texts at a time or keep the rows sparse");
        }
        INDArray dense = Nd4j.zeros(DataType.FLOAT, rows, width);
        java.nio.FloatBuffer buffer = dense.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        for (int r = 0; r < rows; r++) {
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
                buffer.put(r * width + columns[k], values[k]);
            }
        }
        Nd4j.getAffinityManager().tagLocation(dense, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
        return dense;
    }

    @Override
    public int[] rowStart() {
        return rowStart.clone();
    }

    @Override
    public int[] columns() {
        return columns.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseRows s && rows == s.rows && width == s.width && Arrays.equals(rowStart, s.rowStart)
                && Arrays.equals(columns, s.columns) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(columns) + Arrays.hashCode(values) + rows * 7 + width;
    }

    @Override
    public String toString() {
        return "SparseRows[" + rows + " x " + width + ", " + nonZeros() + " non-zeros]";
    }
}
