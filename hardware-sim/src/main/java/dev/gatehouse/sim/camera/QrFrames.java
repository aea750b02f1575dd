package dev.gatehouse.sim.camera;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.Random;

/**
 * Camera frames for tests and demos: a QR code as a phone screen held up to a door camera, placed on
 * a grey background, optionally rotated, scaled and with sensor noise — or a frame with no code.
 */
public final class QrFrames {
    private QrFrames() {}

    /** How the code sits in the frame. */
    public record Placement(double rotationDegrees, double scale, double noise, long seed) {
        public static final Placement STRAIGHT = new Placement(0, 1.0, 0, 1);

        public Placement {
            if (scale <= 0.05 || scale > 4) {
                throw new IllegalArgumentException("scale must be in (0.05, 4], not " + scale);
            }
            if (noise < 0 || noise > 1) {
                throw new IllegalArgumentException("noise is a fraction of full scale in [0, 1], not " + noise);
            }
        }
    }

    /** A {@code width}×{@code height} grey frame with {@code text} as a QR code (ECC M) in the middle. */
    public static BufferedImage frame(String text, int width, int height, Placement placement) {
        BitMatrix matrix;
        try {
            matrix = new QRCodeWriter()
                    .encode(
                            text,
                            BarcodeFormat.QR_CODE,
                            0,
                            0,
                            Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4));
        } catch (WriterException e) {
            throw new IllegalArgumentException("cannot encode " + text.length() + " characters as a QR code", e);
        }
        int modules = matrix.getWidth();
        int moduleSize = Math.max(1, (int) Math.floor(Math.min(width, height) * 0.8 * placement.scale() / modules));
        BufferedImage code = new BufferedImage(modules * moduleSize, modules * moduleSize, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < modules; y++) {
            for (int x = 0; x < modules; x++) {
                int rgb = matrix.get(x, y) ? 0x101010 : 0xF4F4F4;
                for (int dy = 0; dy < moduleSize; dy++) {
                    for (int dx = 0; dx < moduleSize; dx++) {
                        code.setRGB(x * moduleSize + dx, y * moduleSize + dy, rgb);
                    }
                }
            }
        }
        BufferedImage frame = blank(width, height);
        Graphics2D graphics = frame.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        AffineTransform transform = new AffineTransform();
        // Whole-pixel centre and offsets: a code straddling half pixels on every module edge is an
        // artefact of synthetic images that real optics blur away.
        transform.translate(width / 2, height / 2);
        transform.rotate(Math.toRadians(placement.rotationDegrees()));
        transform.translate(-(code.getWidth() / 2), -(code.getHeight() / 2));
        graphics.drawImage(code, transform, null);
        graphics.dispose();
        addNoise(frame, placement.noise(), placement.seed());
        return frame;
    }

    /** A frame with nothing to decode: what the camera sees between visitors. */
    public static BufferedImage empty(int width, int height, double noise, long seed) {
        BufferedImage frame = blank(width, height);
        addNoise(frame, noise, seed);
        return frame;
    }

    private static BufferedImage blank(int width, int height) {
        BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = frame.createGraphics();
        graphics.setColor(new Color(0x80, 0x80, 0x80));
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        return frame;
    }

    private static void addNoise(BufferedImage frame, double noise, long seed) {
        if (noise == 0) {
            return;
        }
        Random random = new Random(seed);
        int amplitude = (int) Math.round(noise * 255);
        for (int y = 0; y < frame.getHeight(); y++) {
            for (int x = 0; x < frame.getWidth(); x++) {
                int rgb = frame.getRGB(x, y);
                int delta = random.nextInt(2 * amplitude + 1) - amplitude;
                int r = clamp(((rgb >> 16) & 0xFF) + delta);
                int g = clamp(((rgb >> 8) & 0xFF) + delta);
                int b = clamp((rgb & 0xFF) + delta);
                frame.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
