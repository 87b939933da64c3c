package dev.pictor.nn.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.api.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint in one safetensors file: parameters ({@code param.NAME}), AdamW moments
 * ({@code adam.m.NAME}, {@code adam.v.NAME}), EMA weights ({@code ema.NAME}), and in the metadata the next step,
 * the optimiser's step count and the run's seed. Written atomically.
 *
 * <pre>{@code
 * Checkpoint c = Checkpoint.read(Path.of("run/checkpoint.safetensors"));
 * c.nextStep();    // where a resumed run continues
 * }</pre>
 *
 * @param params    model parameters
 * @param optimizer AdamW state ({@code m.NAME}, {@code v.NAME})
 * @param ema       EMA weights (empty when EMA is off)
 * @param nextStep  the first step a resumed run takes
 * @param adamSteps the optimiser's step count
 * @param seed      the run's seed
 */
public record Checkpoint(Map<String, INDArray> params, Map<String, INDArray> optimizer, Map<String, INDArray> ema,
        long nextStep, long adamSteps, long seed) {
    static final String FORMAT = "pictor-checkpoint-1";

    public void write(Path file) {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        params.forEach((k, v) -> tensors.put("param." + k, v));
        optimizer.forEach((k, v) -> tensors.put("adam." + k, v));
        ema.forEach((k, v) -> tensors.put("ema." + k, v));
        Safetensors.write(file, tensors, Map.of("format", FORMAT, "next_step", Long.toString(nextStep),
                "adam_steps", Long.toString(adamSteps), "seed", Long.toString(seed)));
    }

    public static Checkpoint read(Path file) {
        try (SafetensorsFile f = Safetensors.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new BadInputException(file + " is not a Pictor training checkpoint (format '"
                        + meta.get("format") + "'): give the checkpoint a training run wrote");
            }
            Map<String, INDArray> params = new LinkedHashMap<>();
            Map<String, INDArray> adam = new LinkedHashMap<>();
            Map<String, INDArray> ema = new LinkedHashMap<>();
            f.loadAll().forEach((k, v) -> {
                if (k.startsWith("param.")) {
                    params.put(k.substring(6), v);
                } else if (k.startsWith("adam.")) {
                    adam.put(k.substring(5), v);
                } else if (k.startsWith("ema.")) {
                    ema.put(k.substring(4), v);
                }
            });
            try {
                return new Checkpoint(params, adam, ema, Long.parseLong(meta.get("next_step")),
                        Long.parseLong(meta.get("adam_steps")), Long.parseLong(meta.get("seed")));
            } catch (NumberFormatException e) {
                throw new BadInputException(file + " has unreadable step counts in its metadata: it is corrupt");
            }
        }
    }
}
