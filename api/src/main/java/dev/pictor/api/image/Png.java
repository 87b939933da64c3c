package dev.pictor.api.image;

import dev.pictor.api.BadInputException;
import dev.pictor.api.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG files with text metadata: every picture Pictor writes carries its prompt, seed and pipeline as PNG
 * {@code tEXt} entries, so an image found on disk says how to make it again. Writes are atomic.
 *
 * <pre>{@code
 * Png.write(Path.of("out/0.png"), image, Map.of("prompt", "a red circle", "seed", "7", "pipeline", "shapes-ldm"));
 * Map<String, String> meta = Png.readText(Path.of("out/0.png"));   // {prompt=a red circle, seed=7, …}
 * }</pre>
 */
public final class Png {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private Png() {
    }

    /** Writes {@code image} to {@code file} with the given text entries (Latin-1 keys, at most 79 characters). */
    public static void write(Path file, BufferedImage image, Map<String, String> text) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image),
                    writer.getDefaultWriteParam());
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode entries = new IIOMetadataNode("tEXt");
            // tEXt holds Latin-1 only: a prompt in any other script goes into an international (UTF-8) iTXt chunk
            IIOMetadataNode international = new IIOMetadataNode("iTXt");
            for (Map.Entry<String, String> e : text.entrySet()) {
                if (e.getKey().isEmpty() || e.getKey().length() > 79) {
                    throw new BadInputException("PNG text key '" + e.getKey() + "' must be 1 to 79 characters");
                }
                if (java.nio.charset.StandardCharsets.ISO_8859_1.newEncoder().canEncode(e.getValue())) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("value", e.getValue());
                    entries.appendChild(entry);
                } else {
                    IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("compressionFlag", "FALSE");
                    entry.setAttribute("compressionMethod", "0");
                    entry.setAttribute("languageTag", "");
                    entry.setAttribute("translatedKeyword", "");
                    entry.setAttribute("text", e.getValue());
                    international.appendChild(entry);
                }
            }
            if (entries.hasChildNodes()) {
                root.appendChild(entries);
            }
            if (international.hasChildNodes()) {
                root.appendChild(international);
            }
            meta.mergeTree(FORMAT, root);
            AtomicFiles.write(file, out -> {
                try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                    writer.setOutput(ios);
                    writer.write(null, new IIOImage(image, null, meta), writer.getDefaultWriteParam());
                }
            });
        } catch (IOException e) {
            throw new dev.pictor.api.PictorException("cannot write PNG " + file + ": " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
    }

    /** Reads the picture of a PNG file. */
    public static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new BadInputException("not an image: " + file + " (give a PNG file)");
            }
            return image;
        } catch (IOException e) {
            throw new BadInputException("cannot read image " + file + ": " + e.getMessage());
        }
    }

    /** Reads the {@code tEXt} entries of a PNG file. */
    public static Map<String, String> readText(Path file) {
        try (InputStream in = Files.newInputStream(file); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new BadInputException("not an image: " + file);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis);
                Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
                Map<String, String> out = new LinkedHashMap<>();
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n.getNodeName().equals("iTXt")) {
                        for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                            out.put(e.getAttributes().getNamedItem("keyword").getNodeValue(),
                                    e.getAttributes().getNamedItem("text").getNodeValue());
                        }
                    }
                    if (n.getNodeName().equals("tEXt")) {
                        for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                            out.put(e.getAttributes().getNamedItem("keyword").getNodeValue(),
                                    e.getAttributes().getNamedItem("value").getNodeValue());
                        }
                    }
                }
                return out;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new BadInputException("cannot read image " + file + ": " + e.getMessage());
        }
    }
}
