package dev.pictor.dalle;

import dev.pictor.nn.Graph;
import dev.pictor.nn.Init;
import dev.pictor.nn.layers.Activation;
import dev.pictor.nn.layers.Conv2d;
import dev.pictor.nn.layers.MaxPool2d;
import dev.pictor.nn.layers.Upsample;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * DALL·E's discrete VAE (OpenAI's {@code dall_e.Encoder} and {@code dall_e.Decoder}), defined once on a
 * {@link Graph} with upstream's parameter names ({@code blocks.input.w}, {@code blocks.group_1.block_1.res_path.conv_1.w},
 * …, each half under its own prefix), so the published state dicts load 1:1. The encoder maps pixels (after
 * {@link #mapPixels}) to logits over the codebook for every cell of the code grid; the decoder maps a grid of
 * distributions over the codebook — one-hot codes, or their Gumbel-softmax relaxation in training — to the
 * logit-Laplace distribution of every pixel: its means (in logit space) and log-scales.
 *
 * <pre>{@code
 * DiscreteVae dvae = new DiscreteVae(config);
 * Graph g = new Graph(DataType.FLOAT, 0);
 * SDVariable logits = dvae.encode(g, "encoder", DiscreteVae.mapPixels(g.input("image", -1, 3, 32, 32)));
 * SDVariable stats = dvae.decode(g, "decoder", g.input("codes", -1, config.vocabSize(), 8, 8));
 * }</pre>
 */
public final class DiscreteVae {
    /** Upstream's {@code logit_laplace_eps}: pixels are squeezed into [ε, 1 − ε] so their logits stay finite. */
    public static final double LOGIT_LAPLACE_EPS = 0.1;

    private final DvaeConfig c;

    public DiscreteVae(DvaeConfig config) {
        this.c = config;
    }

    public DvaeConfig config() {
        return c;
    }

    /** Upstream's {@code map_pixels}: x in [0, 1] → (1 − 2ε)·x + ε. */
    public static SDVariable mapPixels(SDVariable x) {
        return x.mul(1 - 2 * LOGIT_LAPLACE_EPS).add(LOGIT_LAPLACE_EPS);
    }

    /** Mapped pixels {@code [N, C, R, R]} → logits {@code [N, K, R/f, R/f]}. */
    public SDVariable encode(Graph g, String prefix, SDVariable pixels) {
        String b = Graph.join(prefix, "blocks");
        SDVariable h = conv(g, Graph.join(b, "input"), c.channels(), c.width(0), 7, pixels);
        long in = c.width(0);
        for (int group = 0; group < c.groupCount(); group++) {
            String name = Graph.join(b, "group_" + (group + 1));
            long out = c.width(group);
            for (int i = 0; i < c.nBlkPerGroup(); i++) {
                h = block(g, Graph.join(name, "block_" + (i + 1)), in, out, false, h);
                in = out;
            }
            if (group < c.groupCount() - 1) {
                h = new MaxPool2d(2).apply(g, h);
            }
        }
        return conv(g, Graph.join(b, "output.conv"), in, c.vocabSize(), 1, Activation.RELU.apply(g, h));
    }

    /**
     * Distributions over the codebook {@code [N, K, r, r]} → {@code [N, 2C, R, R]}: channels 0…C−1 the pixels'
     * logit-Laplace means (in logit space: a pixel is {@code sigmoid(mean)}), C…2C−1 their log-scales.
     */
    public SDVariable decode(Graph g, String prefix, SDVariable codes) {
        String b = Graph.join(prefix, "blocks");
        SDVariable h = conv(g, Graph.join(b, "input"), c.vocabSize(), c.nInit(), 1, codes);
        long in = c.nInit();
        for (int group = 0; group < c.groupCount(); group++) {
            String name = Graph.join(b, "group_" + (group + 1));
            long out = c.width(c.groupCount() - 1 - group);
            for (int i = 0; i < c.nBlkPerGroup(); i++) {
                h = block(g, Graph.join(name, "block_" + (i + 1)), in, out, true, h);
                in = out;
            }
            if (group < c.groupCount() - 1) {
                h = new Upsample(out, false).apply(g, null, h);
            }
        }
        return conv(g, Graph.join(b, "output.conv"), in, 2L * c.channels(), 1, Activation.RELU.apply(g, h));
    }

    /**
     * An {@code EncoderBlock} / {@code DecoderBlock}: the identity (a 1 × 1 convolution where the width changes)
     * plus post_gain × (ReLU, conv, ReLU, conv, ReLU, conv, ReLU, conv) at a quarter of the output width — the
     * encoder's convolutions 3, 3, 3, 1 wide, the decoder's 1, 3, 3, 3.
     */
    private SDVariable block(Graph g, String name, long in, long out, boolean decoder, SDVariable x) {
        long hid = out / 4;
        SDVariable id = in == out ? x : conv(g, Graph.join(name, "id_path"), in, out, 1, x);
        String res = Graph.join(name, "res_path");
        SDVariable h = conv(g, Graph.join(res, "conv_1"), in, hid, decoder ? 1 : 3, Activation.RELU.apply(g, x));
        h = conv(g, Graph.join(res, "conv_2"), hid, hid, 3, Activation.RELU.apply(g, h));
        h = conv(g, Graph.join(res, "conv_3"), hid, hid, 3, Activation.RELU.apply(g, h));
        h = conv(g, Graph.join(res, "conv_4"), hid, out, decoder ? 3 : 1, Activation.RELU.apply(g, h));
        return id.add(h.mul(c.postGain()));
    }

    /** Upstream's {@code dall_e.utils.Conv2d}: parameters {@code w}, {@code b}; w ~ N(0, 1/(in·k²)), b = 0. */
    private static SDVariable conv(Graph g, String name, long in, long out, int kernel, SDVariable x) {
        return Conv2d.same(in, out, kernel).apply(g, Graph.join(name, "w"),
                Init.normal(1 / Math.sqrt((double) in * kernel * kernel)), Graph.join(name, "b"), Init.zeros(), x);
    }
}
