package dev.pictor.api.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pictor.api.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An open safetensors file: the header is read and checked on {@link #open}, tensors are read on demand.
 *
 * <p>Nothing malformed gets through: a file shorter than its header says, a header over
 * {@link #MAX_HEADER_BYTES}, invalid JSON, an unknown dtype, a shape whose size disagrees with its byte range,
 * offsets that overlap, leave holes or run past the end, each give a {@link WeightsException} naming the file
 * and the problem. Sizes are checked before anything is allocated, so a lying header cannot cause an
 * {@link OutOfMemoryError}.
 *
 * <pre>{@code
 * try (SafetensorsFile f = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *     INDArray w = f.load("encoder.layer.0.attention.self.query.weight");
 * }
 * }</pre>
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";
    /** Most dimensions a tensor may have (ND4J's limit). */
    public static final int MAX_RANK = 32;
    /** Most tensors a header may list. */
    public static final int MAX_TENSORS = 1_000_000;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength((int) MAX_HEADER_BYTES).maxNestingDepth(8).build());
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates a file. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BadInputException("weights file not found: " + path + " (check the path)");
        } catch (IOException e) {
            throw new BadInputException("cannot open weights file " + path + ": " + e.getMessage());
        }
        try {
            return read(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile read(Path path, FileChannel channel) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw bad(path, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + Long.toUnsignedString(headerLength) + " is outside 2.."
                        + MAX_HEADER_BYTES + " bytes: not a safetensors file, or corrupt");
            }
            if (headerLength > size - 8) {
                throw bad(path, "truncated: header says " + headerLength + " bytes but the file has " + (size - 8)
                        + " after the length");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLength;
            HeaderParse parsed = parseHeader(path, header.array(), size - dataStart);
            return new SafetensorsFile(path, channel, dataStart, parsed.tensors, parsed.metadata);
        } catch (IOException e) {
            throw bad(path, "read failed: " + e.getMessage());
        }
    }

    private record HeaderParse(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private static HeaderParse parseHeader(Path path, byte[] bytes, long dataSize) {
        if (bytes[0] != '{') {
            throw bad(path, "header does not start with '{': not a safetensors file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(path, "header is not valid UTF-8");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> infos = new ArrayList<>();
        // A streaming parse: memory stays proportional to what is kept (names, shapes of at most MAX_RANK), so a
        // header that packs millions of shape entries into 100 MB cannot exhaust the heap.
        try (JsonParser p = JSON.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(path, "header is not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    readMetadata(path, p, metadata);
                } else {
                    if (infos.size() >= MAX_TENSORS) {
                        throw bad(path, "header lists over " + MAX_TENSORS + " tensors");
                    }
                    infos.add(readInfo(path, name, p));
                }
            }
            if (p.nextToken() != null) {
                throw bad(path, "header has data after its JSON object");
            }
        } catch (IOException e) {
            throw bad(path, "header is not valid JSON: " + firstLine(e.getMessage()));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        for (TensorInfo info : infos) {
            if (info.begin() != expected) {
                throw bad(path, "tensor '" + info.name() + "' starts at byte " + info.begin() + " but the data before"
                        + " it ends at " + expected + " (offsets overlap or leave a hole)");
            }
            expected = info.end();
        }
        if (expected != dataSize) {
            throw bad(path, expected > dataSize
                    ? "truncated: tensors need " + expected + " data bytes but the file has " + dataSize
                    : "header covers " + expected + " data bytes but the file has " + dataSize);
        }
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        infos.forEach(i -> byName.put(i.name(), i));
        return new HeaderParse(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(Path path, JsonParser p, Map<String, String> into) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(path, METADATA_KEY + " must be an object of strings");
        }
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw bad(path, METADATA_KEY + " value for '" + key + "' is not a string");
            }
            into.put(key, p.getText());
        }
    }

    private static TensorInfo readInfo(Path path, String name, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(path, "entry for tensor '" + name + "' is not an object");
        }
        String dtypeCode = null;
        long[] shape = null;
        long[] offsets = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw bad(path, "tensor '" + name + "' has a dtype that is not a string");
                    }
                    dtypeCode = p.getText();
                }
                case "shape" -> shape = longs(path, name, "shape", p, MAX_RANK);
                case "data_offsets" -> offsets = longs(path, name, "data_offsets", p, 2);
                default -> p.skipChildren(); // unknown fields are ignored, as by the reference reader
            }
        }
        if (dtypeCode == null || shape == null || offsets == null || offsets.length != 2) {
            throw bad(path, "tensor '" + name + "' needs dtype (string), shape (array) and data_offsets ([begin,"
                    + " end])");
        }
        String code = dtypeCode;
        SafetensorsDType dtype = SafetensorsDType.byCode(code)
                .orElseThrow(() -> bad(path, "tensor '" + name + "' has unknown dtype '" + code + "'"));
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw bad(path, "tensor '" + name + "' ends (" + end + ") before it begins (" + begin + ")");
        }
        long bytes;
        try {
            long elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException e) {
            throw bad(path, "tensor '" + name + "' has a shape too large to exist");
        }
        if (bytes != end - begin) {
            throw bad(path, "tensor '" + name + "' " + dtype.code() + java.util.Arrays.toString(shape) + " needs "
                    + bytes + " bytes but its offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** An array of at most {@code max} non-negative integers. */
    private static long[] longs(Path path, String name, String field, JsonParser p, int max) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad(path, "tensor '" + name + "' has a " + field + " that is not an array");
        }
        long[] values = new long[max];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (n == max) {
                throw bad(path, "tensor '" + name + "' has over " + max + " " + field + " entries"
                        + (field.equals("shape") ? " (ND4J holds at most " + MAX_RANK + " dimensions)" : ""));
            }
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw bad(path, "tensor '" + name + "' has a " + field + " value that is not a non-negative integer: "
                        + p.getText());
            }
            values[n++] = p.getLongValue();
        }
        return java.util.Arrays.copyOf(values, n);
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in file order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** All tensor entries in file order. */
    public List<TensorInfo> infos() {
        return List.copyOf(tensors.values());
    }

    /** Whether the file holds a tensor with this name. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The entry of one tensor; an unknown name is an error that suggests the closest one. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw BadInputException.unknown("tensor", name, tensors.keySet(), "in " + path);
        }
        return info;
    }

    /** Reads one tensor into a new array of its own dtype (F16 and BF16 stay half precision). */
    public INDArray load(String name) {
        TensorInfo info = info(name);
        DataType type = info.dtype().nd4j().orElseThrow(() -> new WeightsException(path + ": tensor '" + name
                + "' has dtype " + info.dtype().code() + ", which ND4J cannot hold; convert it to F16, BF16 or F32"));
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new WeightsException(path + ": tensor '" + name + "' is over 2 GiB; split it into smaller tensors");
        }
        long[] shape = info.shape();
        INDArray array = shape.length == 0 ? Nd4j.scalar(type, 0) : Nd4j.createUninitialized(type, shape, 'c');
        if (info.byteSize() == 0) {
            return array;
        }
        ByteBuffer target = array.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        target.clear().limit((int) info.byteSize());
        try {
            readFully(channel, target, dataStart + info.begin());
            // Written through host memory: on a GPU backend the device copy must be refreshed from it.
            Nd4j.getAffinityManager().tagLocation(array, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
        } catch (IOException e) {
            throw new WeightsException(path + ": reading tensor '" + name + "' failed: " + e.getMessage(), e);
        }
        return array;
    }

    /** Reads every tensor, in file order. */
    public Map<String, INDArray> loadAll() {
        Map<String, INDArray> all = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            all.put(name, load(name));
        }
        return all;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through this channel: nothing can be lost
        }
    }

    private static WeightsException bad(Path path, String problem) {
        return new WeightsException("bad safetensors file " + path + ": " + problem
                + " (re-download or re-export it)");
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }
}
