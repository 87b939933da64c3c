package dev.pictor.api.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file laid out by hand from the format's description, independent of our writer. */
    static byte[] handMade(String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return b.array();
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("t.safetensors"), bytes);
    }

    @Test
    void readsAHandMadeFile() throws IOException {
        // F32 [2,2] then BF16 [2] (1.0 = 0x3F80, -2.0 = 0xC000) then F16 [1] (0.5 = 0x3800)
        byte[] data = ByteBuffer.allocate(16 + 4 + 2).order(ByteOrder.LITTLE_ENDIAN)
                .put(floats(1f, 2f, 3f, 4f)).putShort((short) 0x3F80).putShort((short) 0xC000)
                .putShort((short) 0x3800).array();
        Path p = file(handMade("""
                {"__metadata__":{"format":"pt"},
                 "w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},
                 "b":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]},
                 "h":{"dtype":"F16","shape":[1],"data_offsets":[20,22]}}""", data));
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.names()).containsExactly("w", "b", "h");
            INDArray w = f.load("w");
            assertThat(w.shape()).containsExactly(2, 2);
            assertThat(w.getFloat(1, 0)).isEqualTo(3f);
            INDArray b = f.load("b");
            assertThat(b.dataType()).isEqualTo(DataType.BFLOAT16);
            assertThat(b.castTo(DataType.FLOAT).toFloatVector()).containsExactly(1f, -2f);
            INDArray h = f.load("h");
            assertThat(h.dataType()).isEqualTo(DataType.FLOAT16);
            assertThat(h.castTo(DataType.FLOAT).getFloat(0)).isEqualTo(0.5f);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SafetensorsDType.class, names = {"F8_E4M3", "F8_E5M2", "F8_E8M0"}, mode = EnumSource.Mode.EXCLUDE)
    void roundTripsEveryDtypeNd4jHolds(SafetensorsDType dtype) {
        DataType type = dtype.nd4j().orElseThrow();
        INDArray a = Nd4j.createFromArray(new double[][] {{0, 1, 0}, {1, 1, 0}}).castTo(type);
        Path p = dir.resolve(dtype + ".safetensors");
        Safetensors.write(p, Map.of("x", a), Map.of());
        INDArray back = Safetensors.read(p).get("x");
        assertThat(back.dataType()).isEqualTo(type);
        assertThat(back.shape()).containsExactly(2, 3);
        assertThat(back).isEqualTo(a);
    }

    @Test
    void writesViewsFOrderScalarsAndEmptyTensors() throws IOException {
        INDArray base = Nd4j.arange(0, 12).castTo(DataType.FLOAT).reshape(3, 4);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("view", base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)));
        tensors.put("f", base.dup('f'));
        tensors.put("scalar", Nd4j.scalar(7.5f));
        tensors.put("empty", Nd4j.create(DataType.FLOAT, 0, 3));
        Path p = dir.resolve("mixed.safetensors");
        Safetensors.write(p, tensors, Map.of("source", "test"));
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertThat(f.load("view").toFloatMatrix()).isEqualTo(new float[][] {{5, 6}, {9, 10}});
            assertThat(f.load("f")).isEqualTo(base);
            assertThat(f.info("scalar").shape()).isEmpty();
            assertThat(f.load("scalar").getFloat(0)).isEqualTo(7.5f);
            assertThat(f.info("empty").shape()).containsExactly(0, 3);
            assertThat(f.info("empty").byteSize()).isZero();
            assertThat(f.metadata()).containsEntry("source", "test");
        }
        // header padded to 8 bytes, as the reference writer does
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
    }

    @Test
    void atomicWriteLeavesNoTemporaryFiles() throws IOException {
        Safetensors.write(dir.resolve("a.safetensors"), Map.of("x", Nd4j.ones(2)), Map.of());
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("a.safetensors");
        }
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        Path p = dir.resolve("full.safetensors");
        Safetensors.write(p, Map.of("x", Nd4j.ones(DataType.FLOAT, 100)), Map.of());
        byte[] all = Files.readAllBytes(p);
        byte[] cut = java.util.Arrays.copyOf(all, all.length - 10);
        assertError(file(cut), "truncated: tensors need 400 data bytes but the file has 390");
        assertError(file(java.util.Arrays.copyOf(all, 5)), "truncated: 5 bytes");
        assertError(file(java.util.Arrays.copyOf(all, 20)), "truncated: header says");
    }

    @Test
    void rejectsAHeaderThatLies() throws IOException {
        byte[] data = floats(1, 2, 3, 4);
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", data)),
                "needs 16 bytes but its offsets span 12");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data)), "overlap or leave a hole");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", data)),
                "starts at byte 8");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data)),
                "header covers 8 data bytes but the file has 16");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", data)),
                "ends (0) before it begins (16)");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", data)),
                "not a non-negative integer");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
                + "\"data_offsets\":[0,16]}}", data)), "too large");
        assertError(file(handMade("{\"x\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}", data)),
                "unknown dtype 'Q4'");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4]}}", data)), "needs dtype");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", data)), "not valid JSON");
        assertError(file(handMade("{\"x\": [1,2", data)), "entry for tensor 'x' is not an object");
        assertError(file(handMade("{\"x\": {\"dtype\": \"F32\", \"shape\": [4", data)), "not valid JSON");
        assertError(file(handMade("[1,2,3]", data)), "does not start with '{'");
        assertError(file(handMade("{\"__metadata__\":{\"a\":1}}", new byte[0])), "is not a string");
        String rank33 = "[" + "1,".repeat(32) + "4]";
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":" + rank33 + ",\"data_offsets\":[0,16]}}",
                data)), "over 32 shape entries");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}} {}", data)),
                "data after its JSON object");
        assertError(file(handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16,32]}}", data)),
                "over 2 data_offsets entries");
        byte[] latin1 = handMade("{\"__metadata__\":{\"a\":\"caf?\"}}", new byte[0]);
        latin1[latin1.length - 4] = (byte) 0xE9;
        assertError(file(latin1), "not valid UTF-8");
    }

    @Test
    void rejectsAHugeHeaderLengthWithoutAllocating() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertError(file(b.array()), "header length");
        ByteBuffer c = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(-5);
        assertError(file(c.array()), "header length 18446744073709551611");
        ByteBuffer d = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(SafetensorsFile.MAX_HEADER_BYTES + 1);
        assertError(file(d.array()), "outside 2..100000000");
    }

    @Test
    void dtypesNd4jCannotHoldAreNamedOnLoad() throws IOException {
        Path p = file(handMade("{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]));
        try (SafetensorsFile f = Safetensors.open(p)) {
            assertThat(f.info("x").dtype()).isEqualTo(SafetensorsDType.F8_E4M3);
            assertThatThrownBy(() -> f.load("x")).isInstanceOf(WeightsException.class)
                    .hasMessageContaining("F8_E4M3, which ND4J cannot hold");
            assertThatThrownBy(() -> f.load("y")).hasMessageContaining("unknown tensor 'y'");
        }
    }

    @Test
    void missingFileIsABadInput() {
        assertThatThrownBy(() -> Safetensors.open(dir.resolve("nope.safetensors")))
                .isInstanceOf(dev.pictor.api.BadInputException.class).hasMessageContaining("not found");
    }

    private static void assertError(Path p, String fragment) {
        assertThatThrownBy(() -> Safetensors.open(p).close()).isInstanceOf(WeightsException.class)
                .hasMessageContaining(fragment).hasMessageStartingWith("bad safetensors file ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
