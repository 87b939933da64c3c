package dev.pictor.bench;

import dev.pictor.api.diffusion.GaussianNoise;
import dev.pictor.api.weights.Safetensors;
import dev.pictor.ldm.AutoencoderConfig;
import dev.pictor.ldm.KlAutoencoderQuantizer;
import dev.pictor.ldm.UNetConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The latent-diffusion claim, measured: one training step of the same UNet (width, levels, attention, context) in
 * the autoencoder's latent space against pixel space. Latent: the UNet on {@code [B, c, 8, 8]} plus encoding the
 * batch's images through the (frozen) first stage, as {@code trainLdm} does every step; pixel: the UNet with three
 * input and output channels on the {@code [B, 3, 32, 32]} images themselves. Rounds alternate the two; medians.
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.LatentVsPixelBench zoo/src/main/resources/pictor/zoo/shapes-ldm 16 6 2
 * </pre>
 */
public final class LatentVsPixelBench {
    private LatentVsPixelBench() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "zoo/src/main/resources/pictor/zoo/shapes-ldm");
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int tokens = 32;
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        Path ae = dir.resolve("autoencoder");
        var vae = new KlAutoencoderQuantizer(AutoencoderConfig.read(ae.resolve("config.json")),
                Safetensors.read(ae.resolve("model.safetensors")));
        // the zoo UNet's width, levels and attention, reading the latents or the pixels (no coordinate channels)
        UNetConfig u = UNetConfig.read(dir.resolve("unet/config.json"));
        UNetConfig latent = withChannels(u, vae.latentChannels());
        UNetConfig pixel = withChannels(u, 3);
        int side = vae.config().resolution();
        long latentSide = vae.latentShape(new long[] {3, side, side})[2];
        Nd4j.getRandom().setSeed(3);
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, 3, side, side).muli(2).subi(1);
        List<Double> latentSteps = new ArrayList<>();
        List<Double> pixelSteps = new ArrayList<>();
        List<Double> encodes = new ArrayList<>();
        GaussianNoise noise = GaussianNoise.forSeeds(1, batch);
        for (int r = 0; r < rounds; r++) {
            latentSteps.addAll(UNetTrainBench.stepTimes(latent, latentSide, tokens, batch, steps, false));
            for (int i = 0; i < steps + 1; i++) {
                long t0 = System.nanoTime();
                vae.encode(images, noise);
                if (i > 0) {
                    encodes.add((System.nanoTime() - t0) / 1e6);
                }
            }
            pixelSteps.addAll(UNetTrainBench.stepTimes(pixel, side, tokens, batch, steps, false));
        }
        double l = median(latentSteps);
        double e = median(encodes);
        double p = median(pixelSteps);
        System.out.printf("batch %d, %d rounds of %d steps, context %d × %d%n", batch, rounds, steps, tokens,
                latent.contextDim());
        System.out.println("| space | input | UNet parameters | step (ms) | per image (ms) |");
        System.out.println("|---|---|---|---|---|");
        System.out.printf("| latent | %d × %d × %d | %,d | %.1f + %.1f encoding = %.1f | %.2f |%n", latent.inChannels(),
                latentSide, latentSide, UNetTrainBench.parameters(latent, latentSide, tokens), l, e, l + e,
                (l + e) / batch);
        System.out.printf("| pixel | 3 × %d × %d | %,d | %.1f | %.2f |%n", side, side,
                UNetTrainBench.parameters(pixel, side, tokens), p, p / batch);
        System.out.printf("pixel / latent cost per step: %.2f×%n", p / (l + e));
    }

    private static UNetConfig withChannels(UNetConfig u, int channels) {
        return new UNetConfig(channels, channels, u.modelChannels(), u.numResBlocks(), u.attentionResolutions(),
                u.channelMult(), u.numHeads(), u.numHeadChannels(), u.transformerDepth(), u.contextDim());
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }
}
