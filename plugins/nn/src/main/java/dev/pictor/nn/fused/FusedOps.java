package dev.pictor.nn.fused;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What SameDiff needs to know of the fused ops. Building a gradient function copies every op by writing it
 * to SameDiff's FlatBuffers form and reading it back, which looks the op up by name and hash in ND4J's op tables and
 * restores it from its properties; so each fused op is entered in those tables once, and carries its settings as
 * properties. The copy's kernels are made afresh from them, and its gradient op shares them.
 */
final class FusedOps {
    /**
     * One fused op type: its name and hash in ND4J's tables (negative hashes: libnd4j's own are positive), its class,
     * and how a copy rebuilds its kernels from their properties.
     */
    record Kind<K extends FusedKernels>(String name, long hash, Class<?> type,
            Function<Map<String, Object>, K> fromProperties) {
    }

    static final Kind<TransformerStackTraining> STACK = new Kind<>("pictor_transformer_stack", -0x5069637430720001L,
            TransformerStackOp.class, TransformerStackTraining::fromProperties);
    static final Kind<TransformerStackTraining> STACK_BP = new Kind<>("pictor_transformer_stack_bp",
            -0x5069637430720002L, TransformerStackGradOp.class, TransformerStackTraining::fromProperties);
    static final Kind<LayerNormTraining> LAYER_NORM = new Kind<>("pictor_layer_norm", -0x5069637430720003L,
            LayerNormOp.class, LayerNormTraining::fromProperties);
    static final Kind<LayerNormTraining> LAYER_NORM_BP = new Kind<>("pictor_layer_norm_bp", -0x5069637430720004L,
            LayerNormGradOp.class, LayerNormTraining::fromProperties);
    static final Kind<GroupNormTraining> GROUP_NORM = new Kind<>("pictor_group_norm", -0x5069637430720005L,
            GroupNormOp.class, GroupNormTraining::fromProperties);
    static final Kind<GroupNormTraining> GROUP_NORM_BP = new Kind<>("pictor_group_norm_bp", -0x5069637430720006L,
            GroupNormGradOp.class, GroupNormTraining::fromProperties);
    static final Kind<AttentionTraining> ATTENTION = new Kind<>("pictor_attention", -0x5069637430720007L,
            AttentionOp.class, AttentionTraining::fromProperties);
    static final Kind<AttentionTraining> ATTENTION_BP = new Kind<>("pictor_attention_bp", -0x5069637430720008L,
            AttentionGradOp.class, AttentionTraining::fromProperties);
    static final Kind<Conv2dTraining> CONV2D = new Kind<>("pictor_conv2d", -0x5069637430720009L, Conv2dOp.class,
            Conv2dTraining::fromProperties);
    static final Kind<Conv2dTraining> CONV2D_BP = new Kind<>("pictor_conv2d_bp", -0x506963743072000AL,
            Conv2dGradOp.class, Conv2dTraining::fromProperties);
    static final Kind<FeedForwardTraining> FEED_FORWARD = new Kind<>("pictor_geglu_feed_forward",
            -0x506963743072000BL, FeedForwardOp.class, FeedForwardTraining::fromProperties);
    static final Kind<FeedForwardTraining> FEED_FORWARD_BP = new Kind<>("pictor_geglu_feed_forward_bp",
            -0x506963743072000CL, FeedForwardGradOp.class, FeedForwardTraining::fromProperties);
    private static final List<Kind<?>> ALL = List.of(STACK, STACK_BP, LAYER_NORM, LAYER_NORM_BP, GROUP_NORM,
            GROUP_NORM_BP, ATTENTION, ATTENTION_BP, CONV2D, CONV2D_BP, FEED_FORWARD, FEED_FORWARD_BP);
    private static boolean registered;

    private FusedOps() {
    }

    static synchronized void register() {
        if (registered) {
            return;
        }
        // ND4J 1.0.0-M2.1 keeps both tables unmodifiable or private, hence reflection.
        try {
            // Writing an op looks its hash up by name in the executor's table of native ops.
            Object executor = Nd4j.getExecutioner();
            executor.getClass().getMethod("getCustomOperations").invoke(executor);   // builds the table first
            java.lang.reflect.Field ops = field(executor.getClass(), "customOps");
            @SuppressWarnings("unchecked")
            Map<String, CustomOpDescriptor> table = new java.util.HashMap<>((Map<String, CustomOpDescriptor>) ops
                    .get(executor));
            for (Kind<?> k : ALL) {
                table.putIfAbsent(k.name(), new CustomOpDescriptor(k.hash(), -1, -1, false, 0, 0));
            }
            ops.set(executor, java.util.Collections.unmodifiableMap(table));
            // Reading it back finds the class by that hash in the class holder's table.
            java.lang.reflect.Field f = field(DifferentialFunctionClassHolder.class, "customOpHashToClass");
            @SuppressWarnings("unchecked")
            Map<Long, Class<?>> byHash = (Map<Long, Class<?>>) f.get(DifferentialFunctionClassHolder.getInstance());
            for (Kind<?> k : ALL) {
                byHash.putIfAbsent(k.hash(), k.type());
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot enter the fused ops in ND4J's op tables (ND4J "
                    + "other than 1.0.0-M2.1?): " + e, e);
        }
        registered = true;
    }

    private static java.lang.reflect.Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    static Number number(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("fused op without its '" + key + "' property");
        }
        return n;
    }
}
