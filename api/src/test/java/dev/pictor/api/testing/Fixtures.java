package dev.pictor.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pictor.api.weights.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads the parity fixtures the plugins' Python scripts write under a test's {@code /fixtures/} resources: tensors
 * ({@code name.safetensors}, keys such as {@code param.…}, {@code input.…}, {@code output.…}, {@code grad.param.…})
 * and key listings ({@code name.json}: {@code {key: shape}} of an upstream state dict).
 *
 * <pre>{@code
 * Map<String, INDArray> f = Fixtures.tensors(MyTest.class, "ldm_autoencoder");
 * graph.load(Fixtures.under(f, "param."), true);
 * Map<String, long[]> sd = Fixtures.shapes(MyTest.class, "keys_sd_v1_autoencoder");
 * }</pre>
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** {@code /fixtures/<name>.safetensors} from {@code anchor}'s resources. */
    public static Map<String, INDArray> tensors(Class<?> anchor, String name) {
        URL url = anchor.getResource("/fixtures/" + name + ".safetensors");
        if (url == null) {
            throw new IllegalStateException("no fixture /fixtures/" + name + ".safetensors beside " + anchor);
        }
        try {
            return Safetensors.read(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Entries under {@code prefix}, with it removed. */
    public static Map<String, INDArray> under(Map<String, INDArray> all, String prefix) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** {@code /fixtures/<name>.json}, a {@code {key: shape}} listing, in its order. */
    public static Map<String, long[]> shapes(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream("/fixtures/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no fixture /fixtures/" + name + ".json beside " + anchor);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, long[]> out = new LinkedHashMap<>();
            root.fields().forEachRemaining(e -> {
                long[] shape = new long[e.getValue().size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.getValue().get(i).asLong();
                }
                out.put(e.getKey(), shape);
            });
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An NCHW fixture tensor as a float32 graph input in NCHW, or permuted to NHWC. */
    public static INDArray toLayout(INDArray nchw, boolean nhwc) {
        return (nhwc ? nchw.permute(0, 2, 3, 1) : nchw).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c');
    }

    /** A graph output in NCHW, or in NHWC permuted back, to compare with an NCHW fixture. */
    public static INDArray toNchw(INDArray out, boolean nhwc) {
        return nhwc ? out.permute(0, 3, 1, 2).dup('c') : out;
    }
}
