package dev.pictor.api.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parser fuzzing: corrupted, truncated and lying safetensors files either read correctly or fail with a
 * {@link WeightsException}; never another exception, never an OutOfMemoryError, never a tensor whose byte size
 * disagrees with its header.
 */
class SafetensorsFuzzTest {
    private static Path dir;
    private static byte[] valid;

    @BeforeContainer
    static void makeAValidFile() throws IOException {
        dir = Files.createTempDirectory("st-fuzz");
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", Nd4j.rand(DataType.FLOAT, 3, 4));
        tensors.put("b.bias", Nd4j.rand(DataType.FLOAT, 5).castTo(DataType.BFLOAT16));
        tensors.put("c.ids", Nd4j.createFromArray(1L, 2L, 3L));
        Path p = dir.resolve("valid.safetensors");
        Safetensors.write(p, tensors, Map.of("k", "v"));
        valid = Files.readAllBytes(p);
    }

    @AfterContainer
    static void clean() throws IOException {
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }

    /** A valid file with a few bytes overwritten. */
    @Provide
    Arbitrary<byte[]> corrupted() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, valid.length - 1);
        Arbitrary<Byte> value = Arbitraries.bytes();
        return Combinators.combine(position.list().ofMinSize(1).ofMaxSize(6), value.list().ofSize(6))
                .as((positions, values) -> {
                    byte[] b = valid.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        b[positions.get(i)] = values.get(i);
                    }
                    return b;
                });
    }

    /** A valid file cut short, or with junk appended. */
    @Provide
    Arbitrary<byte[]> resized() {
        return Arbitraries.integers().between(0, valid.length + 64).map(n -> {
            byte[] b = java.util.Arrays.copyOf(valid, n);
            for (int i = valid.length; i < n; i++) {
                b[i] = (byte) (i * 31);
            }
            return b;
        });
    }

    /** A valid body behind a random header length. */
    @Provide
    Arbitrary<byte[]> lyingLength() {
        return Arbitraries.longs().map(len -> {
            byte[] b = valid.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
            return b;
        });
    }

    @Property(tries = 400)
    void corruptedBytes(@ForAll("corrupted") byte[] bytes) {
        readsOrRejects(bytes);
    }

    @Property(tries = 200)
    void truncatedOrExtended(@ForAll("resized") byte[] bytes) {
        boolean ok = readsOrRejects(bytes);
        assertThat(ok).isEqualTo(bytes.length == valid.length);
    }

    @Property(tries = 200)
    void anyHeaderLength(@ForAll("lyingLength") byte[] bytes) {
        readsOrRejects(bytes);
    }

    private static boolean readsOrRejects(byte[] bytes) {
        Path p = dir.resolve("fuzz.safetensors");
        try {
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (SafetensorsFile f = Safetensors.open(p)) {
            for (TensorInfo info : f.infos()) {
                if (info.dtype().nd4j().isEmpty()) {
                    continue;
                }
                INDArray a = f.load(info.name());
                assertThat(a.length() * info.dtype().bytes()).isEqualTo(info.byteSize());
            }
            return true;
        } catch (WeightsException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return false;
        }
    }
}
