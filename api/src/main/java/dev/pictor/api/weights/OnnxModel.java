package dev.pictor.api.weights;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.pictor.api.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The weights (initializers) and the node list of an ONNX model, read with protobuf-java's wire-format reader —
 * only the fields an importer needs, no generated classes. Real checkpoints reach Pictor this way when they are
 * published as ONNX (all-MiniLM-L6-v2): an importer maps initializers to parameter names, following the nodes
 * for the ones an exporter left unnamed.
 *
 * <pre>{@code
 * OnnxModel m = OnnxModel.read(Path.of("model.onnx"));
 * INDArray bias = m.initializer("encoder.layer.0.attention.self.query.bias");
 * m.consumers("onnx::MatMul_1234");   // the nodes that read an unnamed MatMul weight
 * }</pre>
 */
public final class OnnxModel {
    /** One node of the graph. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs) {
    }

    private final Map<String, INDArray> initializers;
    private final List<Node> nodes;

    private OnnxModel(Map<String, INDArray> initializers, List<Node> nodes) {
        this.initializers = Collections.unmodifiableMap(initializers);
        this.nodes = List.copyOf(nodes);
    }

    /** Reads a model file. */
    public static OnnxModel read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new BadInputException("ONNX file not found: " + file);
        } catch (IOException e) {
            throw new BadInputException("cannot read ONNX file " + file + ": " + e.getMessage());
        }
    }

    /** Reads a model from a stream ({@code what} names it in errors). */
    public static OnnxModel read(InputStream stream, String what) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(stream);
            in.setSizeLimit(Integer.MAX_VALUE);
            Map<String, INDArray> inits = new LinkedHashMap<>();
            List<Node> nodes = new ArrayList<>();
            boolean sawGraph = false;
            for (int tag; (tag = in.readTag()) != 0; ) {
                if (WireFormat.getTagFieldNumber(tag) == 7 && WireFormat.getTagWireType(tag) == 2) { // ModelProto.graph
                    int limit = in.pushLimit(in.readRawVarint32());
                    readGraph(in, inits, nodes, what);
                    in.popLimit(limit);
                    sawGraph = true;
                } else {
                    in.skipField(tag);
                }
            }
            if (!sawGraph) {
                throw new BadInputException(what + " is not an ONNX model (no graph): give the .onnx file");
            }
            return new OnnxModel(inits, nodes);
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException(what + " is not a readable ONNX model (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""))
                    + "): the file is corrupt or truncated; fetch it again");
        }
    }

    private static void readGraph(CodedInputStream in, Map<String, INDArray> inits, List<Node> nodes, String what)
            throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 1 && WireFormat.getTagWireType(tag) == 2) {          // GraphProto.node
                int limit = in.pushLimit(in.readRawVarint32());
                nodes.add(readNode(in));
                in.popLimit(limit);
            } else if (field == 5 && WireFormat.getTagWireType(tag) == 2) {   // GraphProto.initializer
                int limit = in.pushLimit(in.readRawVarint32());
                Tensor t = readTensor(in, what);
                in.popLimit(limit);
                inits.put(t.name, t.array);
            } else {
                in.skipField(tag);
            }
        }
    }

    private static Node readNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String op = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readStringRequireUtf8());
                case 2 -> outputs.add(in.readStringRequireUtf8());
                case 3 -> name = in.readStringRequireUtf8();
                case 4 -> op = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new Node(name, op, inputs, outputs);
    }

    private record Tensor(String name, INDArray array) {
    }

    // TensorProto.DataType values this reader supports.
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int INT32 = 6;

    private static Tensor readTensor(CodedInputStream in, String what) throws IOException {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        byte[] raw = null;
        List<Float> floats = new ArrayList<>();
        List<Long> longs = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            switch (field) {
                case 1 -> readLongs(in, wire, dims);
                case 2 -> type = in.readInt32();
                case 4 -> {
                    if (wire == 2) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            floats.add(in.readFloat());
                        }
                        in.popLimit(limit);
                    } else {
                        floats.add(in.readFloat());
                    }
                }
                case 7 -> readLongs(in, wire, longs);
                case 8 -> name = in.readStringRequireUtf8();
                case 9 -> raw = in.readByteArray();
                case 13 -> throw new BadInputException(what + ": tensor '" + name + "' keeps its data in an external"
                        + " file, which this reader does not follow: export the model with the weights inside");
                default -> in.skipField(tag);
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        INDArray array;
        if (type == FLOAT) {
            float[] values = new float[Math.toIntExact(n)];
            if (raw != null) {
                check(raw.length == values.length * 4L, what, name);
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            } else {
                check(floats.size() == values.length, what, name);
                for (int i = 0; i < values.length; i++) {
                    values[i] = floats.get(i);
                }
            }
            array = shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, 'c');
        } else if (type == INT64 || type == INT32) {
            long[] values = new long[Math.toIntExact(n)];
            if (raw != null) {
                int width = type == INT64 ? 8 : 4;
                check(raw.length == values.length * (long) width, what, name);
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < values.length; i++) {
                    values[i] = width == 8 ? b.getLong() : b.getInt();
                }
            } else {
                check(longs.size() == values.length, what, name);
                for (int i = 0; i < values.length; i++) {
                    values[i] = longs.get(i);
                }
            }
            array = Nd4j.createFromArray(values).reshape(shape.length == 0 ? new long[0] : shape)
                    .castTo(type == INT64 ? DataType.INT64 : DataType.INT32);
        } else {
            array = null; // other types are kept as absent: an importer that needs them says so
        }
        return new Tensor(name, array);
    }

    private static void readLongs(CodedInputStream in, int wire, List<Long> into) throws IOException {
        if (wire == 2) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                into.add(in.readInt64());
            }
            in.popLimit(limit);
        } else {
            into.add(in.readInt64());
        }
    }

    private static void check(boolean ok, String what, String name) {
        if (!ok) {
            throw new BadInputException(what + ": tensor '" + name + "' has a data size that disagrees with its shape:"
                    + " the file is corrupt");
        }
    }

    /** Initializers by name (FLOAT, INT64 and INT32 ones; others are listed with a null array). */
    public Map<String, INDArray> initializers() {
        return initializers;
    }

    /** One initializer; an unknown name suggests the closest. */
    public INDArray initializer(String name) {
        INDArray a = initializers.get(name);
        if (a == null) {
            throw BadInputException.unknown("ONNX initializer", name, initializers.keySet(), null);
        }
        return a;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The nodes that read a value. */
    public List<Node> consumers(String value) {
        return nodes.stream().filter(n -> n.inputs().contains(value)).toList();
    }

    /** The node that produces a value, if any. */
    public Optional<Node> producer(String value) {
        return nodes.stream().filter(n -> n.outputs().contains(value)).findFirst();
    }
}
