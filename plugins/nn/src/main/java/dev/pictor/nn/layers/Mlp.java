package dev.pictor.nn.layers;

import dev.pictor.nn.Graph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The transformer's feed-forward part: Linear → activation → Linear, under the given names.
 *
 * <pre>{@code
 * SDVariable y = new Mlp(512, 2048, Activation.QUICK_GELU, "mlp.fc1", "mlp.fc2").apply(g, "layers.0", x);
 * }</pre>
 *
 * @param dim        input and output width
 * @param hidden     inner width
 * @param activation the non-linearity
 * @param inName     name of the first Linear
 * @param outName    name of the second Linear
 */
public record Mlp(long dim, long hidden, Activation activation, String inName, String outName) {

    public SDVariable apply(Graph g, String prefix, SDVariable x) {
        SDVariable h = new Linear(dim, hidden, true).apply(g, Graph.join(prefix, inName), x);
        return new Linear(hidden, dim, true).apply(g, Graph.join(prefix, outName), activation.apply(g, h));
    }
}
