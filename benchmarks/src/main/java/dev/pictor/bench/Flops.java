package dev.pictor.bench;

import java.util.Map;

/** Floating-point operations per call of each benchmark (multiply-adds count 2), to turn times into GFLOP/s. */
final class Flops {
    private static final double BERT_ROWS = 32 * 128;

    private Flops() {
    }

    /** FLOPs of one call, or 0 when the benchmark is not a compute benchmark. */
    static double of(String benchmark, Map<String, String> params) {
        String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        switch (name) {
            case "gemmOp", "indarrayMmul", "linearLayer", "linearLayerCopied" -> {
                double n = Double.parseDouble(params.get("n"));
                return 2 * n * n * n;
            }
            case "bertLinear" -> {
                String[] io = params.get("shape").split("x");
                return 2 * BERT_ROWS * Double.parseDouble(io[0]) * Double.parseDouble(io[1]);
            }
            case "bertAttention" -> {
                double projections = 4 * 2 * BERT_ROWS * 768 * 768;
                double scoresAndMix = 2 * (2.0 * 32 * 12 * 128 * 128 * 64);
                return projections + scoresAndMix;
            }
            case "bertLayer" -> {
                double attention = 4 * 2 * BERT_ROWS * 768 * 768 + 2 * (2.0 * 32 * 12 * 128 * 128 * 64);
                return attention + 2 * 2 * BERT_ROWS * 768 * 3072;
            }
            case "conv2dLayer" -> {
                return 2.0 * 8 * 64 * 64 * 9 * 32 * 32;
            }
            case "resnetBlock" -> {
                return 2 * (2.0 * 8 * 64 * 64 * 9 * 16 * 16); // the two 3×3 convolutions
            }
            default -> {
                return 0;
            }
        }
    }
}
