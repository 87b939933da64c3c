package dev.pictor.bert;

import dev.pictor.api.BadInputException;
import dev.pictor.api.weights.OnnxModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns a BERT exported to ONNX by Hugging Face/PyTorch (all-MiniLM-L6-v2) into our parameters. Biases, norms and
 * embeddings keep their names in the export; the Linear weights do not ({@code onnx::MatMul_787}) and are stored
 * transposed, {@code [in, out]}. Each is named through the graph: its MatMul feeds an Add with the named bias, so
 * {@code X.bias}'s weight is {@code X.weight}, transposed to PyTorch's {@code [out, in]}.
 *
 * <pre>{@code
 * Map<String, INDArray> weights = MiniLmImporter.parameters(OnnxModel.read(onnxFile));
 * bert.graph().load(weights, true);
 * }</pre>
 */
public final class MiniLmImporter {
    private MiniLmImporter() {
    }

    public static Map<String, INDArray> parameters(OnnxModel onnx) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        onnx.initializers().forEach((name, array) -> {
            if (array != null && !name.startsWith("onnx::") && !name.equals("embeddings.position_ids")) {
                out.put(name, array);
            }
        });
        for (OnnxModel.Node matmul : onnx.nodes()) {
            if (!matmul.opType().equals("MatMul") || matmul.inputs().size() != 2) {
                continue;
            }
            INDArray weight = onnx.initializers().get(matmul.inputs().get(1));
            if (weight == null) {
                continue; // a product of two activations (attention scores), not a Linear
            }
            List<OnnxModel.Node> adds = onnx.consumers(matmul.outputs().get(0)).stream()
                    .filter(n -> n.opType().equals("Add")).toList();
            String bias = adds.isEmpty() ? null : adds.get(0).inputs().stream().filter(i -> i.endsWith(".bias"))
                    .findFirst().orElse(null);
            if (bias == null) {
                throw new BadInputException("ONNX MatMul " + matmul.name() + " has a weight but no named bias after"
                        + " it: this export is not a Hugging Face BERT; name its weights by hand");
            }
            out.put(bias.substring(0, bias.length() - ".bias".length()) + ".weight", weight.transpose().dup('c'));
        }
        return out;
    }
}
