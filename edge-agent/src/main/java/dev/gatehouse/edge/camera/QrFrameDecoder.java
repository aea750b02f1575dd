package dev.gatehouse.edge.camera;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.NotFoundException;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.GlobalHistogramBinarizer;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a QR code in a camera frame with ZXing. A frame without a code, or with one ZXing cannot
 * read, is simply empty: cameras see nothing most of the time. Not thread-safe (one per reader).
 */
public final class QrFrameDecoder {
    private static final Map<DecodeHintType, Object> HINTS = Map.of(
            DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE), DecodeHintType.TRY_HARDER, Boolean.TRUE);

    private final QRCodeReader reader = new QRCodeReader();

    public Optional<String> decode(BufferedImage frame) {
        LuminanceSource source = new BufferedImageLuminanceSource(frame);
        // The local-threshold binarizer copes with uneven light; the global one with the crisp, evenly
        // lit codes of a phone screen, where the local one sometimes loses a finder pattern.
        Optional<String> text = attempt(new BinaryBitmap(new HybridBinarizer(source)));
        if (text.isEmpty()) {
            text = attempt(new BinaryBitmap(new GlobalHistogramBinarizer(source)));
        }
        if (text.isEmpty() && frame.getWidth() >= 320) {
            // Half size, smoothed: aliasing on slightly tilted, sharp codes is what defeats the sampler.
            text = attempt(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(halfSize(frame)))));
        }
        return text;
    }

    private static BufferedImage halfSize(BufferedImage frame) {
        BufferedImage half = new BufferedImage(frame.getWidth() / 2, frame.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = half.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        graphics.drawImage(frame, 0, 0, half.getWidth(), half.getHeight(), null);
        graphics.dispose();
        return half;
    }

    private Optional<String> attempt(BinaryBitmap bitmap) {
        try {
            Result result = reader.decode(bitmap, HINTS);
            return Optional.of(result.getText());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (ReaderException | RuntimeException e) {
            // Checksum or format errors in a half-visible code: the next frame will do.
            return Optional.empty();
        } finally {
            reader.reset();
        }
    }
}
