package dev.pictor.bench;

import dev.pictor.api.autoregressive.AutoregressiveLoop;
import dev.pictor.api.autoregressive.DecodingRequest;
import dev.pictor.api.autoregressive.LogitsSampler;
import dev.pictor.api.autoregressive.TokenRange;
import dev.pictor.api.run.Cancellation;
import dev.pictor.api.run.ProgressListener;
import dev.pictor.api.spi.Condition;
import dev.pictor.api.spi.DecodingSession;
import dev.pictor.api.spi.Encoder;
import dev.pictor.clip.ClipConfig;
import dev.pictor.clip.ClipImageEncoder;
import dev.pictor.clip.ClipWeights;
import dev.pictor.clip.train.ImageSource;
import dev.pictor.dalle.DalleConfig;
import dev.pictor.dalle.DalleDenoiser;
import dev.pictor.dalle.DalleTransformer;
import dev.pictor.dalle.DvaeConfig;
import dev.pictor.dalle.DvaeQuantizer;
import dev.pictor.dalle.train.DvaeTraining;
import dev.pictor.datasets.shapes.ShapesWorld;
import dev.pictor.nn.Graph;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seconds per image of shapes-dalle's sampling, side by side in one run: the 64 image tokens drawn with the
 * key/value cache (the {@link AutoregressiveLoop} on {@link DalleDenoiser}, what {@code generate} runs), the same
 * without it (each token recomputes the whole sequence so far: a fresh session fed every position), and with CLIP
 * reranking (N candidates a kept image, scored by shapes-ldm's CLIP image tower); the dVAE's decoding included.
 * The zoo's shapes (18 text + 64 image positions, width 256, 4 layers, 8 heads; dVAE 3 groups, 512 codes) with
 * random weights: the cost does not depend on what the weights learned.
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
 *     dev.pictor.bench.DalleGenerateBench [rounds]
 * </pre>
 */
public final class DalleGenerateBench {
    private DalleGenerateBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        dev.pictor.api.device.MachineReport.now(true).lines().forEach(l -> System.out.println("- " + l));
        DalleConfig config = new DalleConfig(644, 18, 512, 8, 256, 4, 8);
        Graph g = new Graph(DataType.FLOAT, 1, Graph.Mode.INFER);
        new DalleTransformer(config).logits(g, g.input("text", DataType.INT64, -1, 18),
                g.input("image", DataType.INT64, -1, 64));
        DvaeConfig dvaeConfig = new DvaeConfig(3, 64, 1, 3, 512, 64, 32);
        DvaeQuantizer dvae = new DvaeQuantizer(dvaeConfig, new DvaeTraining(dvaeConfig,
                ImageSource.shapes(new ShapesWorld(1, ShapesWorld.HELD_OUT)), DvaeTraining.Settings.defaults(10))
                .weights());
        Path clipDir = Path.of("zoo/src/main/resources/pictor/zoo/shapes-ldm/text");
        ClipConfig clipConfig = ClipConfig.read(clipDir.resolve("config.json"));
        ClipImageEncoder clip = new ClipImageEncoder(clipConfig, ClipWeights.load(clipConfig,
                clipDir.resolve("model.safetensors")).tensors());
        System.out.println("| images drawn together | key/value cache (s/image) | recompute the prefix (s/image) |"
                + " cache speed-up | reranked, best of 8 (s/kept image) |");
        System.out.println("|---|---|---|---|---|");
        try (DalleDenoiser dalle = new DalleDenoiser(config, g.state())) {
            TokenRange codes = dalle.imageTokens();
            for (int batch : new int[] {1, 16}) {
                double cached = Double.MAX_VALUE;
                double recompute = Double.MAX_VALUE;
                double reranked = Double.MAX_VALUE;
                for (int r = 0; r < rounds; r++) {
                    cached = Math.min(cached, cached(dalle, dvae, codes, batch) / batch);
                    recompute = Math.min(recompute, recomputed(dalle, dvae, codes, batch) / batch);
                    // 8 candidates each for `batch` kept images: 8·batch drawn (in rows of 64 as generate does)
                    long start = System.nanoTime();
                    int candidates = 8 * batch;
                    for (int from = 0; from < candidates; from += 64) {
                        int n = Math.min(64, candidates - from);
                        INDArray pixels = draw(dalle, dvae, codes, n);
                        clip.encode(pixels, Set.of(Encoder.Output.PROJECTED));
                    }
                    reranked = Math.min(reranked, (System.nanoTime() - start) / 1e9 / batch);
                }
                System.out.printf(Locale.ROOT, "| %d | %.4f | %.4f | %.1f× | %.4f |%n", batch, cached, recompute,
                        recompute / cached, reranked);
            }
        }
    }

    static INDArray prefix(DalleConfig c, int batch) {
        long[][] ids = new long[batch][c.textLength()];
        SplittableRandom r = new SplittableRandom(3);
        for (long[] row : ids) {
            for (int p = 0; p < row.length; p++) {
                row[p] = p < 10 ? r.nextInt(c.textVocab()) : c.padId(p);
            }
        }
        return Nd4j.createFromArray(ids);
    }

    static INDArray draw(DalleDenoiser dalle, DvaeQuantizer dvae, TokenRange codes, int batch) {
        long[][] ids = AutoregressiveLoop.run(dalle, new LogitsSampler(1, 0, 1), DecodingRequest.builder(
                prefix(dalle.config(), batch), 64).seed(1).allowed(p -> codes).build(), ProgressListener.NONE,
                Cancellation.never());
        return dvae.decode(grid(ids, codes, batch));
    }

    static INDArray grid(long[][] ids, TokenRange codes, int batch) {
        long[] flat = new long[batch * 64];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < 64; t++) {
                flat[b * 64 + t] = ids[b][t] - codes.from();
            }
        }
        return Nd4j.createFromArray(flat).reshape(batch, 8, 8);
    }

    /** Seconds to draw and decode {@code batch} images with the cache. */
    static double cached(DalleDenoiser dalle, DvaeQuantizer dvae, TokenRange codes, int batch) {
        long start = System.nanoTime();
        draw(dalle, dvae, codes, batch);
        return (System.nanoTime() - start) / 1e9;
    }

    /** The same without the cache: each token a fresh session over the whole sequence so far. */
    static double recomputed(DalleDenoiser dalle, DvaeQuantizer dvae, TokenRange codes, int batch) {
        long start = System.nanoTime();
        INDArray seq = prefix(dalle.config(), batch);
        LogitsSampler sampler = new LogitsSampler(1, 0, 1);
        SplittableRandom[] rows = new SplittableRandom[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = new SplittableRandom(b);
        }
        long[][] ids = new long[batch][64];
        for (int t = 0; t < 64; t++) {
            INDArray logits;
            try (DecodingSession s = dalle.open(batch, Condition.none())) {
                logits = s.feed(seq);
            }
            float[][] l = logits.toFloatMatrix();
            long[] next = new long[batch];
            for (int b = 0; b < batch; b++) {
                next[b] = sampler.choose(l[b], codes.from(), codes.to(), rows[b]);
                ids[b][t] = next[b];
            }
            seq = Nd4j.concat(1, seq, Nd4j.createFromArray(next).reshape(batch, 1));
        }
        dvae.decode(grid(ids, codes, batch));
        return (System.nanoTime() - start) / 1e9;
    }
}
