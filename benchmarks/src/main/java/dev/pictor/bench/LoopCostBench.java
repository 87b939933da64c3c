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
        System.out.printf(Locale.ROOT, "- FLOP bound: a 10 M-parameter network applied at all 64 positions of 8 latents"
                + " of 4x8x8 needs >= %.1f ms at the measured peak (%.0f GFLOP/s)%n", unetStepMs, peak);
        double[] stack = resnetStackMs();
        System.out.printf(Locale.ROOT, "- measured: %.2f M parameters of UNet ResNet blocks (conv_in 4->320, 5 x"
                + " ResnetBlock 320 ch with time embedding, conv_out 320->4) at 8x8 on the graph executor: %.1f ms for"
                + " batch 8, %.1f ms for batch 16 (guided)%n", stack[2] / 1e6, stack[0], stack[1]);
        unetStepMs = stack[0];
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
                + " (ms/step) | loop / network step, unguided | guided |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, DiffusionSampler> e : samplers.entrySet()) {
            DiffusionSampler s = e.getValue();
            double plain = perStep(s, DiffusionRequest.builder(8).steps(STEPS).build());
            double guided = perStep(s, DiffusionRequest.builder(8).steps(STEPS).guidance(5).condition(cond)
                    .negative(neg).build());
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.2f%% | %.2f%% |%n", e.getKey(), plain, guided,
                    guided - plain, 100 * plain / unetStepMs, 100 * guided / stack[1]);
        }
    }

    /**
     * A stand-in for a 10 M-parameter UNet step that exists today: UNet ResNet blocks (the LDM's, from nn) at the
     * latents' 8×8, every parameter applied at every position. Returns {batch 8 ms, batch 16 ms, parameters}.
     */
    static double[] resnetStackMs() {
        dev.pictor.nn.Graph g = new dev.pictor.nn.Graph(DataType.FLOAT, 1, dev.pictor.nn.Graph.Mode.INFER);
        org.nd4j.autodiff.samediff.SDVariable x = g.input("x", -1, 4, 8, 8);
        org.nd4j.autodiff.samediff.SDVariable temb = g.input("temb", -1, 512);
        org.nd4j.autodiff.samediff.SDVariable h = dev.pictor.nn.layers.Conv2d.same(4, 320, 3).apply(g, "conv_in", x);
        for (int i = 0; i < 5; i++) {
            h = new dev.pictor.nn.layers.ResnetBlock(320, 320, 512, 32, 1e-5).apply(g, "block" + i, h, temb);
        }
        h = dev.pictor.nn.layers.Conv2d.same(320, 4, 3).apply(g, "conv_out", h);
        long params = g.state().values().stream().mapToLong(INDArray::length).sum();
        double[] ms = new double[3];
        int i = 0;
        for (int batch : new int[] {8, 16}) {
            Map<String, INDArray> in = Map.of("x", Nd4j.randn(DataType.FLOAT, batch, 4, 8, 8), "temb",
                    Nd4j.randn(DataType.FLOAT, batch, 512));
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 12; r++) {
                long start = System.nanoTime();
                g.output(in, h);
                if (r >= 2) {
                    best = Math.min(best, (System.nanoTime() - start) / 1e6);
                }
            }
            ms[i++] = best;
        }
        ms[2] = params;
        return ms;
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
