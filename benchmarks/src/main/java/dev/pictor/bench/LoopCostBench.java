package dev.pictor.bench;

import dev.pictor.api.diffusion.DiffusionRequest;
import dev.pictor.api.diffusion.GuidanceLoop;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.diffusion.SamplingHooks;
import dev.pictor.api.spi.ComponentConfig;
import dev.pictor.api.spi.ComponentKind;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser;
import dev.pictor.api.spi.DiffusionSampler;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The guidance loop's own cost per step, without a network: a denoiser that returns zeros at once, on a batch of 8
 * latents of 4 × 8 × 8, unguided and with classifier-free guidance (both branches stacked into one call of 16),
 * for every sampler. Compared with the FLOPs of one step of a 10 M-parameter UNet at the machine's measured peak.
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.LoopCostBench
 * </pre>
 */
public final class LoopCostBench {
    static final int STEPS = 50;

    /** Returns zeros of the state's shape: what is left of a step is the loop's own work. */
    static final class Free implements DiffusionDenoiser {
        public String name() {
            return "free";
        }

        public Prediction prediction() {
            return Prediction.EPSILON;
        }

        public NoiseSchedule schedule() {
            return NoiseSchedule.scaledLinear(0.00085, 0.012, 1000);
        }

        public long[] sampleShape() {
            return new long[] {4, 8, 8};
        }

        public INDArray predict(INDArray x, INDArray t, Condition c) {
            return Nd4j.zeros(DataType.FLOAT, x.shape());
        }
    }

    public static void main(String[] args) {
        dev.pictor.api.device.MachineReport machine = dev.pictor.api.device.MachineReport.now(false);
        machine.lines().forEach(l -> System.out.println("- " + l));
        double peak = dev.pictor.api.device.FpPeak.measure(2048, 5).gflops();
        // a UNet's weights are applied at every latent position: ≈ 2 FLOPs per weight per position per sample
        double unetStepMs = 2.0 * 10e6 * 64 * 8 / (peak * 1e9) * 1e3;
        System.out.printf(Locale.ROOT, "- one step of a 10 M-parameter UNet on 8 latents of 4x8x8: >= %.1f ms at the"
                + " measured peak (%.0f GFLOP/s); twice that with guidance%n", unetStepMs, peak);
        Map<String, DiffusionSampler> samplers = new LinkedHashMap<>();
        try (dev.pictor.api.plugin.PluginRegistry registry = dev.pictor.api.plugin.PluginLoader.builder().load()) {
            for (String name : java.util.List.of("ddpm", "ddim", "euler", "euler-ancestral", "heun", "dpm-solver++")) {
                samplers.put(name, (DiffusionSampler) registry.factory(ComponentKind.SAMPLER, name).create(
                        new ComponentConfig(ComponentKind.SAMPLER, name, Map.of(), null)));
            }
        }
        Condition cond = Condition.of(Nd4j.rand(DataType.FLOAT, 8, 16, 32));
        Condition neg = Condition.of(Nd4j.rand(DataType.FLOAT, 8, 16, 32));
        System.out.println("| sampler | loop ms/step, unguided | loop ms/step, guidance 5 | guidance overhead"
                + " (ms/step) | loop / UNet step |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, DiffusionSampler> e : samplers.entrySet()) {
            DiffusionSampler s = e.getValue();
            double plain = perStep(s, DiffusionRequest.builder(8).steps(STEPS).build());
            double guided = perStep(s, DiffusionRequest.builder(8).steps(STEPS).guidance(5).condition(cond)
                    .negative(neg).build());
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.2f%% |%n", e.getKey(), plain, guided,
                    guided - plain, 100 * guided / (2 * unetStepMs));
        }
    }

    /** Best of 20 runs of STEPS steps, ms per step. */
    static double perStep(DiffusionSampler sampler, DiffusionRequest request) {
        Free free = new Free();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 25; r++) {
            long start = System.nanoTime();
            GuidanceLoop.run(free, sampler, request, SamplingHooks.none());
            double ms = (System.nanoTime() - start) / 1e6 / STEPS;
            if (r >= 5) {
                best = Math.min(best, ms);
            }
        }
        return best;
    }
}
