package dev.pictor.ldm;

import dev.pictor.api.BadInputException;
import dev.pictor.api.diffusion.NoiseSchedule;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DiffusionDenoiser;
import dev.pictor.nn.Graph;
import dev.pictor.nn.onednn.OneDnn;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@link UNet} as the generation core's {@link DiffusionDenoiser}: latents {@code [B, in, h, w]}, timesteps
 * {@code [B]} (fractional ones embed as upstream's sinusoids would; {@link CoordinateChannels} appended when its
 * config asks), and a context {@code [B, S, context_dim]} it
 * cross-attends to. A cross-attention UNet has no unconditional form: the unconditional branch of guidance is the
 * empty prompt's context, which the pipeline passes as a condition like any other. Runs on the fused oneDNN engine
 * ({@link UNetInference}) where oneDNN is available, else on the model's inference graph (float32); not
 * thread-safe; close it.
 *
 * <pre>{@code
 * try (UNetDenoiser unet = new UNetDenoiser(config, weights, NoiseSchedule.scaledLinear(0.00085, 0.012, 1000),
 *         Prediction.EPSILON, 8)) {
 *     INDArray eps = unet.predict(zt, Nd4j.createFromArray(999f), Condition.of(context));
 * }
 * }</pre>
 */
public final class UNetDenoiser implements DiffusionDenoiser {
    private final DenoiserConfig denoiser;
    private final UNetConfig config;
    private final UNetInference fused;
    private final Graph graph;
    private final SDVariable output;

    /**
     * @param weights    the UNet's state dict (upstream names, as {@link StableDiffusionCheckpoint} gives them)
     * @param latentSize the latents' side
     */
    public UNetDenoiser(UNetConfig config, Map<String, INDArray> weights, NoiseSchedule schedule,
            Prediction prediction, int latentSize) {
        this(new DenoiserConfig(config, schedule, prediction, latentSize), weights);
    }

    /** A trained model folder's denoiser: its config.json ({@link DenoiserConfig}) and its weights. */
    public UNetDenoiser(DenoiserConfig denoiser, Map<String, INDArray> weights) {
        UNetConfig config = denoiser.unet();
        int latentSize = denoiser.latentSize();
        if (latentSize % (1 << config.halvings()) != 0) {
            throw new BadInputException("latents of side " + latentSize + " do not halve " + config.halvings()
                    + " times, as this UNet's levels need");
        }
        this.denoiser = denoiser;
        this.config = config;
        if (OneDnn.available()) {
            this.fused = new UNetInference(config, weights);
            this.graph = null;
            this.output = null;
        } else {
            this.fused = null;
            this.graph = new Graph(DataType.FLOAT, 0, Graph.Mode.INFER);
            this.output = new UNet(config).apply(graph, graph.input("x", -1, config.inChannels(), latentSize,
                    latentSize), graph.input("t", -1), graph.input("context", -1, -1, config.contextDim()),
                    config.admInChannels() > 0 ? graph.input("y", -1, config.admInChannels()) : null);
            graph.load(weights, true);
        }
    }

    @Override
    public String name() {
        return "unet";
    }

    @Override
    public Prediction prediction() {
        return denoiser.prediction();
    }

    @Override
    public NoiseSchedule schedule() {
        return denoiser.schedule();
    }

    @Override
    public long[] sampleShape() {
        return new long[] {denoiser.latentChannels(), denoiser.latentSize(), denoiser.latentSize()};
    }

    @Override
    public INDArray predict(INDArray x, INDArray timesteps, Condition condition) {
        long[] want = sampleShape();
        if (x.rank() != 4 || !Arrays.equals(Arrays.copyOfRange(x.shape(), 1, 4), want)) {
            throw new BadInputException("expected latents [batch, " + want[0] + ", " + want[1] + ", " + want[2]
                    + "], got " + Arrays.toString(x.shape()));
        }
        if (condition.isNone()) {
            throw new BadInputException("this UNet cross-attends to a context: pass the empty prompt's encoding for"
                    + " the unconditional branch");
        }
        Condition c = condition.forBatch(x.size(0));
        INDArray context = c.context();
        if (context.rank() != 3 || context.size(2) != config.contextDim()) {
            throw new BadInputException("expected a context [batch, tokens, " + config.contextDim() + "], got "
                    + Arrays.toString(context.shape()));
        }
        INDArray vector = null;
        if (config.admInChannels() > 0) {
            vector = c.vectorIfAny().orElseThrow(() -> new BadInputException("this UNet also reads the text's pooled"
                    + " vector (adm_in_channels " + config.admInChannels() + "): condition it with an encoder that"
                    + " gives one (a CLIP text tower)"));
            if (vector.rank() != 2 || vector.size(1) != config.admInChannels()) {
                throw new BadInputException("expected a pooled vector [batch, " + config.admInChannels() + "], got "
                        + Arrays.toString(vector.shape()));
            }
        }
        INDArray input = denoiser.coordinateChannels() > 0 ? CoordinateChannels.append(x) : x;
        if (fused != null) {
            return fused.predict(input, timesteps, context, vector);
        }
        Map<String, INDArray> in = new java.util.HashMap<>(Map.of("x", input.castTo(DataType.FLOAT), "t",
                timesteps.castTo(DataType.FLOAT).reshape(-1), "context", context.castTo(DataType.FLOAT)));
        if (vector != null) {
            in.put("y", vector.castTo(DataType.FLOAT));
        }
        return graph.output(in, output).dup();
    }

    @Override
    public void close() {
        if (fused != null) {
            fused.close();
        }
    }
}
