package dev.pictor.api.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pictor.api.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes the safetensors format, Pictor's native weights format.
 *
 * <p>Writing is atomic: the file appears complete under its name or not at all. Tensors are stored in the
 * order given, C-order, little-endian, with the header padded to a multiple of 8 bytes as the reference
 * implementation does.
 *
 * <pre>{@code
 * Safetensors.write(Path.of("w.safetensors"), Map.of("linear.weight", w), Map.of("format", "pt"));
 * Map<String, INDArray> back = Safetensors.read(Path.of("w.safetensors"));
 * }</pre>
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {
    }

    /** Opens a file for lazy reads; see {@link SafetensorsFile}. */
    public static SafetensorsFile open(Path path) {
        return SafetensorsFile.open(path);
    }

    /** Reads every tensor of a file. */
    public static Map<String, INDArray> read(Path path) {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            return f.loadAll();
        }
    }

    /** Writes a model's {@code config.json} into its folder. */
    @FunctionalInterface
    public interface ConfigWriter {
        void write(Path configJson) throws java.io.IOException;
    }

    /**
     * Writes a model folder as every trainer leaves one: {@code model.safetensors} (the weights, with metadata) and
     * {@code config.json} beside it; the folder is created. A failure is one error naming {@code what} and the folder.
     */
    public static void writeModelFolder(Path dir, Map<String, INDArray> weights, Map<String, String> metadata,
            ConfigWriter config, String what) {
        try {
            java.nio.file.Files.createDirectories(dir);
            write(dir.resolve("model.safetensors"), weights, metadata);
            config.write(dir.resolve("config.json"));
        } catch (java.io.IOException e) {
            throw new dev.pictor.api.BadInputException("cannot write the " + what + " to " + dir + ": "
                    + e.getMessage());
        }
    }

    /** Writes tensors (in map order) and string metadata, atomically. */
    public static void write(Path path, Map<String, INDArray> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsFile.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        INDArray[] contiguous = new INDArray[tensors.size()];
        int i = 0;
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            if (e.getKey().equals(SafetensorsFile.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + SafetensorsFile.METADATA_KEY + "' cannot name a tensor");
            }
            INDArray array = e.getValue();
            // Views and F-order arrays are copied so their bytes are one C-order run.
            INDArray c = array.isView() || array.ordering() != 'c' || array.data().offset() != 0
                    || array.data().length() != array.length() ? array.dup('c') : array;
            contiguous[i++] = c;
            SafetensorsDType dtype = SafetensorsDType.of(c.dataType());
            long bytes = c.length() * dtype.bytes();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.code());
            ArrayNode shape = entry.putArray("shape");
            for (long d : c.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');

        AtomicFiles.write(path, out -> writeBody(out, headerBytes, contiguous));
    }

    private static void writeBody(OutputStream out, byte[] header, INDArray[] tensors) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(length.array());
        out.write(header);
        WritableByteChannel channel = Channels.newChannel(out);
        for (INDArray t : tensors) {
            long bytes = t.length() * SafetensorsDType.of(t.dataType()).bytes();
            if (bytes == 0) {
                continue;
            }
            // On a GPU backend the newest values may be on the device: bring them to host memory first.
            org.nd4j.linalg.factory.Nd4j.getAffinityManager().ensureLocation(t,
                    org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
            ByteBuffer data = t.data().asNio().duplicate();
            data.clear().limit(Math.toIntExact(bytes));
            while (data.hasRemaining()) {
                channel.write(data);
            }
        }
    }
}
