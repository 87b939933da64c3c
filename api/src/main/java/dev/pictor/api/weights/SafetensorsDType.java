package dev.pictor.api.weights;

import java.util.Arrays;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The dtypes of the safetensors format and the ND4J type each maps to. The 8-bit float and sub-byte types have
 * no ND4J equivalent: they are recognised (so the error is precise) but cannot be loaded.
 *
 * <pre>{@code
 * SafetensorsDType.of(DataType.BFLOAT16).code();   // "BF16"
 * }</pre>
 */
public enum SafetensorsDType {
    BOOL("BOOL", 1, DataType.BOOL),
    U8("U8", 1, DataType.UINT8),
    I8("I8", 1, DataType.INT8),
    I16("I16", 2, DataType.INT16),
    U16("U16", 2, DataType.UINT16),
    F16("F16", 2, DataType.FLOAT16),
    BF16("BF16", 2, DataType.BFLOAT16),
    I32("I32", 4, DataType.INT32),
    U32("U32", 4, DataType.UINT32),
    F32("F32", 4, DataType.FLOAT),
    F64("F64", 8, DataType.DOUBLE),
    I64("I64", 8, DataType.INT64),
    U64("U64", 8, DataType.UINT64),
    F8_E4M3("F8_E4M3", 1, null),
    F8_E5M2("F8_E5M2", 1, null),
    F8_E8M0("F8_E8M0", 1, null);

    private final String code;
    private final int bytes;
    private final DataType nd4j;

    SafetensorsDType(String code, int bytes, DataType nd4j) {
        this.code = code;
        this.bytes = bytes;
        this.nd4j = nd4j;
    }

    /** The name in the header, e.g. {@code "F32"}. */
    public String code() {
        return code;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The ND4J type, if ND4J can hold this dtype. */
    public Optional<DataType> nd4j() {
        return Optional.ofNullable(nd4j);
    }

    /** The dtype for a header code. */
    public static Optional<SafetensorsDType> byCode(String code) {
        return Arrays.stream(values()).filter(d -> d.code.equals(code)).findFirst();
    }

    /** The dtype that stores an ND4J type; throws for types safetensors cannot hold (UTF8, COMPRESSED, …). */
    public static SafetensorsDType of(DataType type) {
        return Arrays.stream(values()).filter(d -> d.nd4j == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("safetensors cannot store ND4J type " + type));
    }
}
