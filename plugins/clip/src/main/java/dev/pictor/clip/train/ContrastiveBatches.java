package dev.pictor.clip.train;

import dev.pictor.clip.ClipBpeTokenizer;
import dev.pictor.clip.ClipImages;
import dev.pictor.clip.ClipModel;
import dev.pictor.nn.train.Batches;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The inputs of one contrastive step: {@code batch} pairs, pixels normalised as CLIP's preprocessing does, captions
 * tokenized (padded to the longest caption in the batch: attention is causal and pooling is at the end token, so
 * the shorter length changes nothing), and the targets — each image's distribution over the batch's captions, spread
 * evenly over the captions of the same meaning ({@link PairSource.Pair#meaning}) so that "a coat" is not pushed away
 * from a coat because another image in the batch is one too.
 * Step {@code s} holds pairs {@code s·batch … s·batch + batch − 1} of an endless source, or of a seeded shuffle of a
 * finite one, epoch after epoch.
 */
public final class ContrastiveBatches implements Batches {
    private final PairSource source;
    private final ClipBpeTokenizer tokenizer;
    private final int batch;
    private final long seed;
    private final Map<String, int[]> tokenCache = new HashMap<>();
    private boolean fullContext;

    public ContrastiveBatches(PairSource source, ClipBpeTokenizer tokenizer, int batch, long seed) {
        this.source = source;
        this.tokenizer = tokenizer;
        this.batch = batch;
        this.seed = seed;
    }

    /**
     * Pads every caption to the whole context, as upstream's training does, instead of to the batch's longest (the
     * same gradients, more work): for like-for-like speed comparisons.
     */
    public ContrastiveBatches fullContext(boolean on) {
        this.fullContext = on;
        return this;
    }

    /** Pair index of row {@code row} of step {@code step}. */
    long index(long step, int row) {
        long global = step * batch + row;
        long n = source.size();
        if (n == Long.MAX_VALUE) {
            return global;
        }
        long epoch = global / n;
        // a fresh permutation each epoch: a multiplicative walk with a seeded, epoch-dependent offset and stride
        long offset = Math.floorMod(mix(seed ^ epoch), n);
        long stride = strideFor(n, mix(seed + 31 * epoch));
        return Math.floorMod(offset + Math.floorMod(global, n) * stride, n);
    }

    private static long strideFor(long n, long r) {
        long s = Math.floorMod(r, n);
        while (s == 0 || gcd(s, n) != 1) {
            s = (s + 1) % n;
        }
        return s;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public Map<String, INDArray> batch(long step) {
        int side = source.side();
        float[] pixels = new float[batch * 3 * side * side];
        int[][] ids = new int[batch][];
        String[] meanings = new String[batch];
        int longest = 2;
        for (int r = 0; r < batch; r++) {
            PairSource.Pair p = source.pair(index(step, r));
            System.arraycopy(p.image(), 0, pixels, r * 3 * side * side, 3 * side * side);
            meanings[r] = p.meaning();
            ids[r] = tokenCache.computeIfAbsent(p.caption(), c -> tokenizer.encode(c).ids());
            longest = Math.max(longest, ids[r].length);
        }
        if (fullContext) {
            longest = tokenizer.contextLength();
        }
        long[][] padded = new long[batch][longest];
        for (int r = 0; r < batch; r++) {
            for (int t = 0; t < ids[r].length; t++) {
                padded[r][t] = ids[r][t];
            }
        }
        float[][] targets = new float[batch][batch];
        for (int i = 0; i < batch; i++) {
            int same = 0;
            for (int j = 0; j < batch; j++) {
                if (meanings[i].equals(meanings[j])) {
                    same++;
                }
            }
            for (int j = 0; j < batch; j++) {
                targets[i][j] = meanings[i].equals(meanings[j]) ? 1f / same : 0f;
            }
        }
        INDArray images = ClipImages.prepare(Nd4j.create(pixels, new long[] {batch, 3, side, side}, 'c'), side);
        Map<String, INDArray> in = new LinkedHashMap<>(ClipModel.textInputs(longest, Nd4j.createFromArray(padded)));
        in.put(ClipModel.PIXELS, images);
        in.put(ClipModel.TARGETS, Nd4j.createFromArray(targets));
        return in;
    }

    /** The captions of step {@code step} (for reports). */
    public String[] captions(long step) {
        return java.util.stream.IntStream.range(0, batch).mapToObj(r -> source.pair(index(step, r)).caption())
                .toArray(String[]::new);
    }
}
