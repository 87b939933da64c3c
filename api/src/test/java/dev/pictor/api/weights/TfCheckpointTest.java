package dev.pictor.api.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A small checkpoint written here in TensorFlow's bundle format (sorted table + raw data), read back, and broken in
 * the ways a real file breaks. The real reader is also exercised on Google's BERT checkpoint (plugins/bert,
 * {@code BertBaseUncasedTest}, when that artifact is present), where all 204 CRC32C checks pass.
 */
class TfCheckpointTest {
    /** Index + data of a checkpoint holding {@code tensors} (float32) and an int64 step counter. */
    static byte[][] write(Map<String, float[][]> tensors) throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", new byte[0]); // the bundle header
        entries.put("global_step", entry(9, new long[0], data.size(), 8, 0));
        data.write(new byte[8]);
        for (Map.Entry<String, float[][]> t : tensors.entrySet()) {
            float[][] v = t.getValue();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length * v[0].length).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : v) {
                for (float x : row) {
                    b.putFloat(x);
                }
            }
            CRC32C crc = new CRC32C();
            crc.update(b.array());
            entries.put(t.getKey(), entry(1, new long[] {v.length, v[0].length}, data.size(), b.capacity(),
                    TfCheckpoint.mask((int) crc.getValue())));
            data.write(b.array());
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] dataBlock = block(entries);
        file.write(dataBlock);
        file.write(new byte[5]); // type 0 (uncompressed) + crc, not checked
        ByteArrayOutputStream handle = new ByteArrayOutputStream();
        CodedOutputStream h = CodedOutputStream.newInstance(handle);
        h.writeUInt64NoTag(0);
        h.writeUInt64NoTag(dataBlock.length);
        h.flush();
        TreeMap<String, byte[]> index = new TreeMap<>();
        index.put(entries.lastKey(), handle.toByteArray());
        long indexOffset = file.size();
        byte[] indexBlock = block(index);
        file.write(indexBlock);
        file.write(new byte[5]);
        long metaOffset = file.size();
        byte[] meta = block(new TreeMap<>());
        file.write(meta);
        file.write(new byte[5]);
        ByteBuffer footer = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream handles = new ByteArrayOutputStream();
        CodedOutputStream f = CodedOutputStream.newInstance(handles);
        f.writeUInt64NoTag(metaOffset);
        f.writeUInt64NoTag(meta.length);
        f.writeUInt64NoTag(indexOffset);
        f.writeUInt64NoTag(indexBlock.length);
        f.flush();
        footer.put(handles.toByteArray());
        footer.putLong(40, 0xdb4775248b80fb57L);
        file.write(footer.array());
        return new byte[][] {file.toByteArray(), data.toByteArray()};
    }

    private static byte[] block(TreeMap<String, byte[]> kv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        byte[] previous = new byte[0];
        for (Map.Entry<String, byte[]> e : kv.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int shared = 0;
            while (shared < Math.min(key.length, previous.length) && key[shared] == previous[shared]) {
                shared++;
            }
            c.writeUInt32NoTag(shared);
            c.writeUInt32NoTag(key.length - shared);
            c.writeUInt32NoTag(e.getValue().length);
            c.writeRawBytes(key, shared, key.length - shared);
            c.writeRawBytes(e.getValue());
            previous = key;
        }
        c.writeFixed32NoTag(0); // one restart point, at 0
        c.writeFixed32NoTag(1);
        c.flush();
        return out.toByteArray();
    }

    private static byte[] entry(int dtype, long[] shape, long offset, long size, int crc) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeEnum(1, dtype);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        CodedOutputStream sc = CodedOutputStream.newInstance(s);
        for (long d : shape) {
            ByteArrayOutputStream dim = new ByteArrayOutputStream();
            CodedOutputStream dc = CodedOutputStream.newInstance(dim);
            dc.writeInt64(1, d);
            dc.flush();
            sc.writeByteArray(2, dim.toByteArray());
        }
        sc.flush();
        c.writeByteArray(2, s.toByteArray());
        c.writeInt64(4, offset);
        c.writeInt64(5, size);
        c.writeFixed32(6, crc);
        c.flush();
        return out.toByteArray();
    }

    static Map<String, float[][]> sample() {
        Map<String, float[][]> t = new LinkedHashMap<>();
        t.put("bert/encoder/layer_0/attention/self/query/kernel", new float[][] {{1, 2, 3}, {4, 5, 6}});
        t.put("bert/encoder/layer_0/attention/self/query/bias", new float[][] {{0.5f, -0.5f, 0.25f}});
        t.put("bert/embeddings/LayerNorm/gamma", new float[][] {{1, 1}});
        return t;
    }

    @Test
    void readsEveryFloatTensorWithItsShape() throws Exception {
        byte[][] files = write(sample());
        Map<String, TfCheckpoint.Entry> index = TfCheckpoint.index(files[0], "test.index");
        assertThat(index).containsKeys("global_step", "bert/embeddings/LayerNorm/gamma");
        Map<String, INDArray> t = TfCheckpoint.read(index, new ByteArrayInputStream(files[1]), "test.data");
        assertThat(t).doesNotContainKey("global_step").hasSize(3);
        INDArray k = t.get("bert/encoder/layer_0/attention/self/query/kernel");
        assertThat(k.shape()).containsExactly(2, 3);
        assertThat(k.getFloat(1, 2)).isEqualTo(6f);
        assertThat(t.get("bert/encoder/layer_0/attention/self/query/bias").getFloat(0, 1)).isEqualTo(-0.5f);
    }

    @Test
    void corruptOrForeignFilesGiveOneLineErrors() throws Exception {
        byte[][] files = write(sample());
        Map<String, TfCheckpoint.Entry> index = TfCheckpoint.index(files[0], "test.index");
        byte[] flipped = files[1].clone();
        flipped[flipped.length - 1] ^= 1;
        assertThatThrownBy(() -> TfCheckpoint.read(index, new ByteArrayInputStream(flipped), "test.data"))
                .isInstanceOf(WeightsException.class).hasMessageContaining("fails its CRC32C check");
        byte[] truncated = java.util.Arrays.copyOf(files[1], files[1].length - 4);
        assertThatThrownBy(() -> TfCheckpoint.read(index, new ByteArrayInputStream(truncated), "test.data"))
                .isInstanceOf(WeightsException.class).hasMessageContaining("test.data: ends inside");
        assertThatThrownBy(() -> TfCheckpoint.index("not a checkpoint at all, just some text of 48+ bytes.."
                .getBytes(StandardCharsets.UTF_8), "notes.txt")).isInstanceOf(WeightsException.class)
                .hasMessageContaining("notes.txt: not a TensorFlow checkpoint index");
        byte[] badBlock = files[0].clone();
        badBlock[badBlock.length - 48 - 5] = 0; // keep the footer; break nothing yet
        badBlock[0] = (byte) 0x7f;              // an absurd shared-prefix length in the first entry
        assertThatThrownBy(() -> TfCheckpoint.index(badBlock, "bad.index")).isInstanceOf(WeightsException.class)
                .hasMessageContaining("bad.index: bad key prefix");
    }
}
