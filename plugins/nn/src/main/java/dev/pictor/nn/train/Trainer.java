package dev.pictor.nn.train;

import dev.pictor.api.BadInputException;
import dev.pictor.api.run.Cancellation;
import dev.pictor.nn.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: for each step, the batch of that step, loss and gradients in one pass, gradient clipping,
 * an AdamW update with the scheduled learning rate, the EMA, progress to a listener, and checkpoints.
 *
 * <p>Deterministic: batches are a function of the step and parameters start from the graph's seed, so two runs
 * with the same seed give the same weights bit for bit, and a run resumed from a checkpoint continues exactly
 * as the uninterrupted run would have. Cancelling stops between steps and writes a checkpoint first.
 *
 * <pre>{@code
 * Trainer.Result r = new Trainer(graph, loss, batches, Trainer.Config.builder(5000)
 *         .learningRate(LearningRateSchedule.warmupCosine(3e-4, 200, 5000, 3e-5))
 *         .clipNorm(1.0).emaDecay(0.999).checkpoint(Path.of("run/ckpt.safetensors"), 500).build())
 *         .listener((step, total, loss, lr, norm) -> log(step, loss))
 *         .run();
 * }</pre>
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Graph graph;
    private final SDVariable loss;
    private final Batches batches;
    private final Config config;
    private final AdamW optimizer;
    private final Ema ema;
    private TrainingListener listener = TrainingListener.NONE;
    private Cancellation cancellation = Cancellation.never();
    private long nextStep;

    /** What a run ended with. */
    public record Result(long stepsDone, double lastLoss, boolean cancelled) {
    }

    public Trainer(Graph graph, SDVariable loss, Batches batches, Config config) {
        this.graph = graph;
        this.loss = loss;
        this.batches = batches;
        this.config = config;
        this.optimizer = new AdamW(config.beta1, config.beta2, config.eps, config.weightDecay);
        this.ema = config.emaDecay > 0 ? new Ema(config.emaDecay, config.emaWarmup) : null;
    }

    public Trainer listener(TrainingListener l) {
        this.listener = l;
        return this;
    }

    public Trainer cancellation(Cancellation c) {
        this.cancellation = c;
        return this;
    }

    /** Continues from the configured checkpoint if it exists (otherwise starts at step 0). */
    public Trainer resumeIfPresent() {
        if (config.checkpoint != null && Files.isRegularFile(config.checkpoint)) {
            resume(Checkpoint.read(config.checkpoint));
        }
        return this;
    }

    /** Continues from a checkpoint: parameters, optimiser moments, EMA and the step. */
    public Trainer resume(Checkpoint c) {
        if (c.seed() != graph.seed()) {
            throw new BadInputException("checkpoint was written by a run with seed " + c.seed() + ", this run has seed "
                    + graph.seed() + ": resume with the same seed, or start afresh");
        }
        graph.load(c.params(), true);
        optimizer.load(c.optimizer(), c.adamSteps());
        if (ema != null) {
            // one update a step, the first a copy
            ema.load(c.ema().isEmpty() ? graph.state() : c.ema(), Math.max(0, c.nextStep() - 1));
        }
        nextStep = c.nextStep();
        return this;
    }

    /** The averaged weights (or null when EMA is off). */
    public Map<String, INDArray> emaWeights() {
        return ema == null ? null : ema.shadow();
    }

    /**
     * The weights a run keeps: each parameter's EMA where one is kept, else its live value; copies, in the graph's
     * order (buffers included).
     */
    public Map<String, INDArray> finalWeights() {
        Map<String, INDArray> shadow = ema == null ? Map.of() : ema.shadow();
        Map<String, INDArray> out = new LinkedHashMap<>();
        graph.state().forEach((k, v) -> out.put(k, shadow.getOrDefault(k, v).dup()));
        return out;
    }

    /** Runs from the current step to {@code config.steps}. */
    public Result run() {
        Graph.Gradients gradients = graph.gradientRunner(loss, graph.paramNames());
        Map<String, INDArray> state = graph.state();
        double last = Double.NaN;
        long start = nextStep;
        for (long step = nextStep; step < config.steps; step++) {
            if (cancellation.isCancelled()) {
                saveCheckpoint(step);
                LOG.info("cancelled at step {}; checkpoint written", step);
                return new Result(step - start, last, true);
            }
            Graph.Gradients.Result og = gradients.compute(batches.batch(step));
            last = og.loss();
            if (!Double.isFinite(last)) {
                throw new dev.pictor.api.PictorException("loss became " + last + " at step " + step + ": lower the"
                        + " learning rate or clip gradients harder");
            }
            Map<String, INDArray> grads = new LinkedHashMap<>(og.gradients());
            double norm = GradientClipping.clipByGlobalNorm(grads, config.clipNorm);
            double lr = config.learningRate.at(step);
            optimizer.step(state, grads, lr);
            if (ema != null) {
                ema.update(state);
            }
            listener.onStep(step, config.steps, last, lr, norm);
            nextStep = step + 1;
            if (config.checkpoint != null && config.checkpointEvery > 0 && nextStep % config.checkpointEvery == 0) {
                saveCheckpoint(nextStep);
            }
            if (config.gcEvery > 0 && nextStep % config.gcEvery == 0) {
                // ND4J frees native buffers only when their Java objects are collected.
                System.gc();
            }
        }
        if (config.checkpoint != null) {
            saveCheckpoint(nextStep);
        }
        return new Result(nextStep - start, last, false);
    }

    private void saveCheckpoint(long next) {
        if (config.checkpoint == null) {
            return;
        }
        Map<String, INDArray> params = new LinkedHashMap<>(graph.state());
        new Checkpoint(params, optimizer.state(), ema == null ? Map.of() : ema.shadow(), next, optimizer.steps(),
                graph.seed()).write(config.checkpoint);
    }

    /** Settings of a training run; {@link #builder(long)} has the defaults. */
    public static final class Config {
        final long steps;
        final LearningRateSchedule learningRate;
        final double beta1;
        final double beta2;
        final double eps;
        final double weightDecay;
        final double clipNorm;
        final double emaDecay;
        final boolean emaWarmup;
        final Path checkpoint;
        final long checkpointEvery;
        final int gcEvery;

        private Config(Builder b) {
            steps = b.steps;
            learningRate = b.learningRate;
            beta1 = b.beta1;
            beta2 = b.beta2;
            eps = b.eps;
            weightDecay = b.weightDecay;
            clipNorm = b.clipNorm;
            emaDecay = b.emaDecay;
            emaWarmup = b.emaWarmup;
            checkpoint = b.checkpoint;
            checkpointEvery = b.checkpointEvery;
            gcEvery = b.gcEvery;
        }

        /** A run of {@code steps} steps: lr 3e-4 constant, AdamW (0.9, 0.999, 1e-8, wd 0.01), clip 1.0, no EMA. */
        public static Builder builder(long steps) {
            return new Builder(steps);
        }

        /** Optional settings of a {@link Config}. */
        public static final class Builder {
            private final long steps;
            private LearningRateSchedule learningRate = LearningRateSchedule.constant(3e-4);
            private double beta1 = 0.9;
            private double beta2 = 0.999;
            private double eps = 1e-8;
            private double weightDecay = 0.01;
            private double clipNorm = 1.0;
            private double emaDecay;
            private boolean emaWarmup;
            private Path checkpoint;
            private long checkpointEvery;
            private int gcEvery = 1;

            private Builder(long steps) {
                if (steps < 1) {
                    throw new IllegalArgumentException("a run needs at least one step");
                }
                this.steps = steps;
            }

            public Builder learningRate(LearningRateSchedule schedule) {
                this.learningRate = schedule;
                return this;
            }

            public Builder adam(double b1, double b2, double epsilon, double decay) {
                this.beta1 = b1;
                this.beta2 = b2;
                this.eps = epsilon;
                this.weightDecay = decay;
                return this;
            }

            /** Global gradient-norm bound; 0 turns clipping off. */
            public Builder clipNorm(double maxNorm) {
                this.clipNorm = maxNorm;
                return this;
            }

            /** EMA decay; 0 (default) turns the EMA off. */
            /** EMA with latent diffusion's warm-up ({@link Ema#Ema(double, boolean)}). */
            public Builder emaWarmup(double decay) {
                this.emaWarmup = true;
                return emaDecay(decay);
            }

            public Builder emaDecay(double decay) {
                this.emaDecay = decay;
                return this;
            }

            /** Where checkpoints go, and how often (0: only at the end and on cancel). */
            public Builder checkpoint(Path file, long every) {
                this.checkpoint = file;
                this.checkpointEvery = every;
                return this;
            }

            /** Collect garbage every N steps so native buffers are freed (0: never). */
            public Builder gcEvery(int n) {
                this.gcEvery = n;
                return this;
            }

            public Config build() {
                return new Config(this);
            }
        }
    }
}
