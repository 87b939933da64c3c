package dev.pictor.bert;

import dev.pictor.api.run.Seeds;
import dev.pictor.nn.train.Batches;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT's pretraining examples from documents (lists of sentences), each a pure function of (seed, index):
 * <ul>
 *   <li>next-sentence prediction: sentence A and, half the time, the sentence after it in the same document
 *       (label 0, IsNext), otherwise a sentence of another document (label 1, NotNext);</li>
 *   <li>masked language modelling: 15% of the word pieces are chosen; of those 80% become [MASK], 10% a random
 *       token, 10% stay; the loss looks at the chosen positions only.</li>
 * </ul>
 * Sequences are padded to a fixed length so examples stack into batches.
 *
 * <pre>{@code
 * PretrainingData data = new PretrainingData(tokenizer, documents, 32, 7);
 * Batches batches = Batches.shuffled(data, 16, 7);
 * }</pre>
 */
public final class PretrainingData implements Batches.Examples {
    private final WordPieceTokenizer tokenizer;
    private final List<List<String>> documents;
    private final int length;
    private final long seed;
    private final int mask;
    private final int pad;
    private final int cls;
    private final int sep;

    public PretrainingData(WordPieceTokenizer tokenizer, List<List<String>> documents, int length, long seed) {
        if (documents.size() < 2 || documents.stream().anyMatch(d -> d.size() < 2)) {
            throw new IllegalArgumentException("need at least two documents of at least two sentences");
        }
        this.tokenizer = tokenizer.withMaxLength(length);
        this.documents = List.copyOf(documents);
        this.length = length;
        this.seed = seed;
        this.mask = tokenizer.specialId("[MASK]");
        this.pad = tokenizer.padId();
        this.cls = tokenizer.specialId("[CLS]");
        this.sep = tokenizer.specialId("[SEP]");
    }

    /**
     * Inputs {@code input_ids}, {@code token_type_ids}, {@code attention_mask} ({@code [T]}), the MLM targets as
     * {@code mlm_targets} ({@code [T]} ids) with {@code mlm_weights} (1 where the loss looks), and {@code nsp_label}.
     */
    @Override
    public Map<String, INDArray> example(long index) {
        SplittableRandom r = new SplittableRandom(Seeds.mix(seed ^ Seeds.mix(index)));
        int d = r.nextInt(documents.size());
        List<String> doc = documents.get(d);
        int s = r.nextInt(doc.size() - 1);
        boolean isNext = r.nextBoolean();
        String b;
        if (isNext) {
            b = doc.get(s + 1);
        } else {
            int other = (d + 1 + r.nextInt(documents.size() - 1)) % documents.size();
            List<String> od = documents.get(other);
            b = od.get(r.nextInt(od.size()));
        }
        int[][] pair = tokenizer.encodePair(doc.get(s), b);
        long[] ids = new long[length];
        long[] types = new long[length];
        float[] attention = new float[length];
        long[] targets = new long[length];
        float[] weights = new float[length];
        java.util.Arrays.fill(ids, pad);
        for (int i = 0; i < pair[0].length; i++) {
            ids[i] = pair[0][i];
            types[i] = pair[1][i];
            attention[i] = 1;
            targets[i] = pair[0][i];
            boolean special = pair[0][i] == cls || pair[0][i] == sep;
            if (!special && r.nextDouble() < 0.15) {
                weights[i] = 1;
                double roll = r.nextDouble();
                if (roll < 0.8) {
                    ids[i] = mask;
                } else if (roll < 0.9) {
                    ids[i] = r.nextInt(tokenizer.vocabularySize());
                }
            }
        }
        return Map.of("input_ids", Nd4j.createFromArray(ids), "token_type_ids", Nd4j.createFromArray(types),
                "attention_mask", Nd4j.createFromArray(attention), "mlm_targets", Nd4j.createFromArray(targets),
                "mlm_weights", Nd4j.createFromArray(weights),
                "nsp_label", Nd4j.scalar(DataType.INT64, isNext ? 0L : 1L));
    }
}
