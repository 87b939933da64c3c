package dev.pictor.api.image;

import dev.pictor.api.BadInputException;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conversions between pixels, {@link BufferedImage}s and model tensors, and grids for comparing many images.
 * Model tensors are {@code [channels, height, width]} FLOAT in {@code [-1, 1]}, 1 or 3 channels.
 *
 * <pre>{@code
 * BufferedImage img = Images.fromRgb(rgbBytes, 32, 32);
 * BufferedImage big = Images.grid(List.of(img, img2), 8, 4, List.of("a red circle", "a blue square"));
 * }</pre>
 */
public final class Images {
    private Images() {
    }

    /** Row-major RGB bytes ({@code [y][x][c]}) to an image. */
    public static BufferedImage fromRgb(byte[] rgb, int width, int height) {
        if (rgb.length != width * height * 3) {
            throw new BadInputException("expected " + width * height * 3 + " RGB bytes for " + width + "x" + height
                    + ", got " + rgb.length);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = 3 * (y * width + x);
                img.setRGB(x, y, (rgb[p] & 0xFF) << 16 | (rgb[p + 1] & 0xFF) << 8 | (rgb[p + 2] & 0xFF));
            }
        }
        return img;
    }

    /** An image to row-major RGB bytes ({@code [y][x][c]}), the inverse of {@link #fromRgb}. */
    public static byte[] toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                int i = 3 * (y * w + x);
                out[i] = (byte) (p >> 16);
                out[i + 1] = (byte) (p >> 8);
                out[i + 2] = (byte) p;
            }
        }
        return out;
    }

    /** A {@code [c, h, w]} tensor in [-1, 1] (c = 1 or 3) to an image; values outside are clipped. */
    public static BufferedImage fromTensor(INDArray chw) {
        if (chw.rank() != 3 || (chw.size(0) != 1 && chw.size(0) != 3)) {
            throw new BadInputException("expected an image tensor [1 or 3, height, width], got "
                    + java.util.Arrays.toString(chw.shape()));
        }
        int c = (int) chw.size(0);
        int h = (int) chw.size(1);
        int w = (int) chw.size(2);
        float[] v = chw.castTo(DataType.FLOAT).dup('c').data().asFloat();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = toByte(v[y * w + x]);
                int g = c == 3 ? toByte(v[h * w + y * w + x]) : r;
                int b = c == 3 ? toByte(v[2 * h * w + y * w + x]) : r;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    /** An image to a {@code [3, h, w]} FLOAT tensor in [-1, 1] (the inverse of {@link #fromTensor} up to rounding). */
    public static INDArray toTensor(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        float[] v = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    v[c * h * w + y * w + x] = ((rgb >> (16 - 8 * c)) & 0xFF) / 127.5f - 1f;
                }
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(v, new long[] {3, h, w}, 'c');
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    /**
     * Tiles images (all the same size) into a grid of {@code columns}, each scaled up {@code scale} times without
     * smoothing, with an optional caption under each (null or empty list for none).
     */
    public static BufferedImage grid(List<BufferedImage> images, int columns, int scale, List<String> captions) {
        if (images.isEmpty()) {
            throw new BadInputException("a grid needs at least one image");
        }
        int w = images.get(0).getWidth() * scale;
        int h = images.get(0).getHeight() * scale;
        boolean captioned = captions != null && !captions.isEmpty();
        int label = captioned ? 14 : 0;
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        int gap = 2;
        BufferedImage out = new BufferedImage(cols * (w + gap) + gap, rows * (h + label + gap) + gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(new Color(40, 40, 40));
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            for (int i = 0; i < images.size(); i++) {
                int x = gap + (i % cols) * (w + gap);
                int y = gap + (i / cols) * (h + label + gap);
                g.drawImage(images.get(i), x, y, w, h, null);
                if (captioned && i < captions.size()) {
                    g.setColor(Color.LIGHT_GRAY);
                    g.setClip(x, y + h, w, label);
                    g.drawString(captions.get(i), x + 1, y + h + 11);
                    g.setClip(null);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
