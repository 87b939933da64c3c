package dev.pictor.nn.fused;

import java.util.Map;
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
    static final String STACK = "pictor_transformer_stack";
    static final String STACK_BP = "pictor_transformer_stack_bp";
    static final String LAYER_NORM = "pictor_layer_norm";
    static final String LAYER_NORM_BP = "pictor_layer_norm_bp";
    /** Name, hash (negative: libnd4j's own are positive), class. */
    private static final Object[][] OPS = {
        {STACK, -0x5069637430720001L, TransformerStackOp.class},
        {STACK_BP, -0x5069637430720002L, TransformerStackGradOp.class},
        {LAYER_NORM, -0x5069637430720003L, LayerNormOp.class},
        {LAYER_NORM_BP, -0x5069637430720004L, LayerNormGradOp.class},
    };
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
            for (Object[] op : OPS) {
                table.putIfAbsent((String) op[0], new CustomOpDescriptor((Long) op[1], -1, -1, false, 0, 0));
            }
            ops.set(executor, java.util.Collections.unmodifiableMap(table));
            // Reading it back finds the class by that hash in the class holder's table.
            java.lang.reflect.Field f = field(DifferentialFunctionClassHolder.class, "customOpHashToClass");
            @SuppressWarnings("unchecked")
            Map<Long, Class<?>> byHash = (Map<Long, Class<?>>) f.get(DifferentialFunctionClassHolder.getInstance());
            for (Object[] op : OPS) {
                byHash.putIfAbsent((Long) op[1], (Class<?>) op[2]);
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
