package dev.gatehouse.hub.parcels;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks an uploaded parcel photo or pickup signature before it is stored: a JPEG or PNG by its magic
 * bytes (never by the name or type the browser claims), at most {@link #MAX_BYTES}, at most {@link
 * #MAX_SIDE} pixels a side (read from the header before the pixels are decoded, so a small file that
 * unpacks into a huge image is refused), and decoded and written again, which drops whatever else
 * the file carried (EXIF with the camera's location, comments, trailing bytes).
 */
public final class ParcelImages {
    /** The largest photo taken, decoded; a request body is also bounded by {@code hub.max-body-bytes}. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    /** The longest side in pixels. */
    public static final int MAX_SIDE = 6000;

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    private ParcelImages() {}

    /** What a check made of an upload. */
    public sealed interface Checked permits Image, Refused {}

    /** A checked image, written again by the hub. */
    public record Image(String contentType, byte[] bytes) implements Checked {
        public Image {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        String base64() {
            return Base64.getEncoder().encodeToString(bytes);
        }
    }

    /** Why an upload was not taken, as a sentence that says what to do. */
    public record Refused(String reason) implements Checked {}

    /**
     * Checks an upload sent as text: a {@code data:image/...;base64,} URL (what the browser's file
     * reader makes) or plain base64; {@code pngOnly} for signatures.
     */
    public static Checked fromText(String text, boolean pngOnly) {
        String value = text == null ? "" : text.strip();
        if (value.startsWith("data:")) {
            int comma = value.indexOf(',');
            if (comma < 0 || !value.substring(0, comma).endsWith(";base64")) {
                return new Refused("send the image as a base64 data URL (data:image/png;base64,...)");
            }
            value = value.substring(comma + 1);
        }
        if (value.isEmpty()) {
            return new Refused("the image is empty: take the photo again");
        }
        // Base64 of MAX_BYTES is 4/3 as long: refuse a longer text before decoding it.
        if (value.length() > MAX_BYTES / 3 * 4 + 4) {
            return tooLarge(value.length() / 4 * 3);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            return new Refused("the image did not arrive whole (its base64 text is broken): send it again");
        }
        return check(bytes, pngOnly);
    }

    /** Checks an upload's bytes. */
    public static Checked check(byte[] bytes, boolean pngOnly) {
        if (bytes.length > MAX_BYTES) {
            return tooLarge(bytes.length);
        }
        boolean png = startsWith(bytes, PNG);
        boolean jpeg = !pngOnly && startsWith(bytes, JPEG);
        if (!png && !jpeg) {
            return new Refused(
                    pngOnly
                            ? "a signature must be a PNG image"
                            : "the file is not a JPEG or PNG image: take a photo or choose a JPEG or PNG file");
        }
        String format = png ? "png" : "jpeg";
        Optional<BufferedImage> image;
        try {
            Optional<int[]> size = size(bytes, format);
            if (size.isEmpty()) {
                return damaged(format);
            }
            if (size.get()[0] > MAX_SIDE || size.get()[1] > MAX_SIDE) {
                return new Refused("the image is " + size.get()[0] + "×" + size.get()[1] + " pixels; at most "
                        + MAX_SIDE + " a side: take it at a lower resolution");
            }
            image = Optional.ofNullable(ImageIO.read(new ByteArrayInputStream(bytes)));
        } catch (IOException | RuntimeException e) {
            image = Optional.empty();
        }
        if (image.isEmpty()) {
            return damaged(format);
        }
        ByteArrayOutputStream clean = new ByteArrayOutputStream();
        try {
            BufferedImage pixels = image.get();
            if (jpeg && pixels.getColorModel().hasAlpha()) {
                return damaged(format);
            }
            if (!ImageIO.write(pixels, format, clean)) {
                return damaged(format);
            }
        } catch (IOException | RuntimeException e) {
            return damaged(format);
        }
        return new Image(png ? "image/png" : "image/jpeg", clean.toByteArray());
    }

    private static Optional<int[]> size(byte[] bytes, String format) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
            if (in == null || !readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return Optional.of(new int[] {reader.getWidth(0), reader.getHeight(0)});
            } finally {
                reader.dispose();
            }
        }
    }

    private static Refused tooLarge(int bytes) {
        return new Refused(
                "the image has " + bytes + " bytes; at most " + MAX_BYTES + ": take it at a lower resolution");
    }

    private static Refused damaged(String format) {
        return new Refused("the " + format.toUpperCase(java.util.Locale.ROOT)
                + " image could not be read (the file is damaged or an unusual kind): take the photo again");
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        return bytes.length >= magic.length && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
    }
}
