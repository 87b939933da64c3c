package dev.pictor.clip;

import dev.pictor.api.BadInputException;
import dev.pictor.api.weights.Safetensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CLIP checkpoints in the two layouts in circulation, mapped 1:1 onto {@link ClipModel}'s names: OpenAI's state dict
 * ({@code transformer.resblocks.0.attn.in_proj_weight}, {@code visual.proj}, as {@code clip.load} builds it) and
 * Hugging Face's {@code CLIPModel} ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, which is
 * ClipModel's own layout). The mapping is a table of renames, so it runs on names and shapes alone
 * ({@link #canonicalShapes}) as well as on tensors, and backwards ({@link #toOpenAi}) for exporting to the upstream
 * module.
 *
 * <p>OpenAI's fused attention projection {@code in_proj_weight [3w, w]} becomes three {@code [w, w]} projections;
 * its projection matrices {@code text_projection [w, e]} and {@code visual.proj [w, e]}, which multiply from the
 * right, become Linear weights {@code [e, w]}. BatchNorm's {@code num_batches_tracked} (a training counter), the
 * JIT archives' {@code input_resolution}, {@code context_length} and {@code vocab_size}, and Hugging Face's
 * {@code position_ids} buffers carry nothing the model reads and are dropped.
 *
 * <pre>{@code
 * Map<String, INDArray> weights = ClipCheckpoint.read(Path.of("ViT-B-32.safetensors"));   // either layout
 * clip.graph().load(weights, true);   // names the first missing or unexpected key
 * }</pre>
 */
public final class ClipCheckpoint {
    /** The layouts. */
    public enum Layout {
        /** OpenAI's {@code clip/model.py} state dict. */
        OPENAI,
        /** Hugging Face transformers' {@code CLIPModel}, which is ClipModel's own. */
        HUGGING_FACE
    }

    /** How a tensor changes on the way: kept, transposed, or one third of a fused projection. */
    private enum Transform {
        COPY, TRANSPOSE, Q, K, V
    }

    private record Rename(String target, Transform transform) {
    }

    private static final Pattern OPENAI_BLOCK = Pattern.compile("(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> BLOCK_PARTS = Map.of("attn.out_proj.weight", "self_attn.out_proj.weight",
            "attn.out_proj.bias", "self_attn.out_proj.bias", "ln_1.weight", "layer_norm1.weight", "ln_1.bias",
            "layer_norm1.bias", "ln_2.weight", "layer_norm2.weight", "ln_2.bias", "layer_norm2.bias", "mlp.c_fc.weight",
            "mlp.fc1.weight", "mlp.c_fc.bias", "mlp.fc1.bias", "mlp.c_proj.weight", "mlp.fc2.weight", "mlp.c_proj.bias",
            "mlp.fc2.bias");
    private static final Map<String, Rename> TOP = Map.ofEntries(
            Map.entry("token_embedding.weight", new Rename("text_model.embeddings.token_embedding.weight", Transform.COPY)),
            Map.entry("positional_embedding", new Rename("text_model.embeddings.position_embedding.weight", Transform.COPY)),
            Map.entry("ln_final.weight", new Rename("text_model.final_layer_norm.weight", Transform.COPY)),
            Map.entry("ln_final.bias", new Rename("text_model.final_layer_norm.bias", Transform.COPY)),
            Map.entry("text_projection", new Rename("text_projection.weight", Transform.TRANSPOSE)),
            Map.entry("logit_scale", new Rename("logit_scale", Transform.COPY)));
    /** ViT-only names (a ResNet's {@code visual.conv1.weight} is its stem and keeps its name). */
    private static final Map<String, Rename> VIT = Map.of(
            "visual.class_embedding", new Rename("vision_model.embeddings.class_embedding", Transform.COPY),
            "visual.conv1.weight", new Rename("vision_model.embeddings.patch_embedding.weight", Transform.COPY),
            "visual.positional_embedding", new Rename("vision_model.embeddings.position_embedding.weight", Transform.COPY),
            "visual.ln_pre.weight", new Rename("vision_model.pre_layrnorm.weight", Transform.COPY),
            "visual.ln_pre.bias", new Rename("vision_model.pre_layrnorm.bias", Transform.COPY),
            "visual.ln_post.weight", new Rename("vision_model.post_layernorm.weight", Transform.COPY),
            "visual.ln_post.bias", new Rename("vision_model.post_layernorm.bias", Transform.COPY),
            "visual.proj", new Rename("visual_projection.weight", Transform.TRANSPOSE));

    private ClipCheckpoint() {
    }

    /** Reads a safetensors checkpoint of either layout, in ClipModel's names. */
    public static Map<String, INDArray> read(Path path) {
        return toCanonical(Safetensors.read(path));
    }

    /** Which layout a state dict is in; a file of neither gets one line saying so. */
    public static Layout layout(Iterable<String> keys) {
        for (String k : keys) {
            if (k.startsWith("text_model.") || k.startsWith("vision_model.")) {
                return Layout.HUGGING_FACE;
            }
            if (k.equals("token_embedding.weight") || k.startsWith("transformer.resblocks.")) {
                return Layout.OPENAI;
            }
        }
        throw new BadInputException("not a CLIP checkpoint: it has neither OpenAI's token_embedding.weight nor"
                + " Hugging Face's text_model.* keys");
    }

    /** A state dict of either layout in ClipModel's names. Keys the mapping does not know pass through unchanged. */
    public static Map<String, INDArray> toCanonical(Map<String, INDArray> state) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (layout(state.keySet()) == Layout.HUGGING_FACE) {
            state.forEach((k, v) -> {
                if (!dropped(k)) {
                    out.put(k, v);
                }
            });
            return out;
        }
        boolean vit = state.containsKey("visual.proj");
        state.forEach((k, v) -> {
            for (Map.Entry<String, Rename> r : renames(k, vit).entrySet()) {
                out.put(r.getValue().target(), apply(r.getValue().transform(), v));
            }
        });
        return out;
    }

    /** The shapes a state dict of either layout has in ClipModel's names (no tensors needed). */
    public static Map<String, long[]> canonicalShapes(Map<String, long[]> shapes) {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (layout(shapes.keySet()) == Layout.HUGGING_FACE) {
            shapes.forEach((k, v) -> {
                if (!dropped(k)) {
                    out.put(k, v);
                }
            });
            return out;
        }
        boolean vit = shapes.containsKey("visual.proj");
        shapes.forEach((k, s) -> renames(k, vit).forEach((from, r) -> out.put(r.target(), switch (r.transform()) {
            case COPY -> s;
            case TRANSPOSE -> new long[] {s[1], s[0]};
            case Q, K, V -> s.length == 2 ? new long[] {s[0] / 3, s[1]} : new long[] {s[0] / 3};
        })));
        return out;
    }

    /**
     * ClipModel's names back in OpenAI's layout (the fused attention projections rebuilt), for running the same
     * weights in the upstream module.
     */
    public static Map<String, INDArray> toOpenAi(Map<String, INDArray> canonical) {
        boolean vit = canonical.containsKey("visual_projection.weight");
        // the inverse table: every OpenAI name a canonical one can come from
        Map<String, List<String>> fused = new LinkedHashMap<>();
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<String, String> inverse = new LinkedHashMap<>();
        Map<String, Transform> how = new LinkedHashMap<>();
        for (String target : canonical.keySet()) {
            String source = openAiName(target, vit);
            inverse.put(target, source);
        }
        inverse.forEach((target, source) -> {
            Rename r = renames(source, vit).values().stream().filter(x -> x.target().equals(target)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no OpenAI name for " + target));
            how.put(target, r.transform());
            switch (r.transform()) {
                case COPY -> out.put(source, canonical.get(target));
                case TRANSPOSE -> out.put(source, canonical.get(target).transpose().dup('c'));
                case Q, K, V -> fused.computeIfAbsent(source, s -> new ArrayList<>()).add(target);
            }
        });
        fused.forEach((source, parts) -> {
            INDArray[] qkv = new INDArray[3];
            for (String target : parts) {
                qkv[how.get(target).ordinal() - Transform.Q.ordinal()] = canonical.get(target);
            }
            out.put(source, org.nd4j.linalg.factory.Nd4j.concat(0, qkv));
        });
        return out;
    }

    private static String openAiName(String target, boolean vit) {
        for (Map.Entry<String, Rename> e : TOP.entrySet()) {
            if (e.getValue().target().equals(target)) {
                return e.getKey();
            }
        }
        if (vit) {
            for (Map.Entry<String, Rename> e : VIT.entrySet()) {
                if (e.getValue().target().equals(target)) {
                    return e.getKey();
                }
            }
        }
        Matcher m = Pattern.compile("(text|vision)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)").matcher(target);
        if (m.matches()) {
            String stem = (m.group(1).equals("vision") ? "visual." : "") + "transformer.resblocks." + m.group(2) + ".";
            String part = m.group(3);
            if (part.matches("self_attn\\.[qkv]_proj\\.weight")) {
                return stem + "attn.in_proj_weight";
            }
            if (part.matches("self_attn\\.[qkv]_proj\\.bias")) {
                return stem + "attn.in_proj_bias";
            }
            for (Map.Entry<String, String> e : BLOCK_PARTS.entrySet()) {
                if (e.getValue().equals(part)) {
                    return stem + e.getKey();
                }
            }
        }
        return target;   // the ResNet's names are OpenAI's
    }

    /** What one OpenAI key becomes (nothing, one key, or three for a fused projection). */
    private static Map<String, Rename> renames(String key, boolean vit) {
        if (dropped(key)) {
            return Map.of();
        }
        Rename top = TOP.get(key);
        if (top != null) {
            return Map.of(key, top);
        }
        if (vit && VIT.containsKey(key)) {
            return Map.of(key, VIT.get(key));
        }
        Matcher m = OPENAI_BLOCK.matcher(key);
        if (m.matches()) {
            String stem = (m.group(1) == null ? "text_model" : "vision_model") + ".encoder.layers." + m.group(2) + ".";
            String part = m.group(3);
            if (part.equals("attn.in_proj_weight") || part.equals("attn.in_proj_bias")) {
                String kind = part.endsWith("weight") ? "weight" : "bias";
                Map<String, Rename> three = new LinkedHashMap<>();
                three.put(key + "#q", new Rename(stem + "self_attn.q_proj." + kind, Transform.Q));
                three.put(key + "#k", new Rename(stem + "self_attn.k_proj." + kind, Transform.K));
                three.put(key + "#v", new Rename(stem + "self_attn.v_proj." + kind, Transform.V));
                return three;
            }
            String mapped = BLOCK_PARTS.get(part);
            if (mapped != null) {
                return Map.of(key, new Rename(stem + mapped, Transform.COPY));
            }
        }
        return Map.of(key, new Rename(key, Transform.COPY));
    }

    private static boolean dropped(String key) {
        return key.endsWith("num_batches_tracked") || key.equals("input_resolution") || key.equals("context_length")
                || key.equals("vocab_size") || key.endsWith("embeddings.position_ids");
    }

    private static INDArray apply(Transform t, INDArray v) {
        return switch (t) {
            case COPY -> v;
            case TRANSPOSE -> v.transpose().dup('c');
            case Q, K, V -> {
                long third = v.size(0) / 3;
                int i = t.ordinal() - Transform.Q.ordinal();
                yield v.rank() == 2
                        ? v.get(NDArrayIndex.interval(i * third, (i + 1) * third), NDArrayIndex.all()).dup('c')
                        : v.get(NDArrayIndex.interval(i * third, (i + 1) * third)).dup('c');
            }
        };
    }
}
