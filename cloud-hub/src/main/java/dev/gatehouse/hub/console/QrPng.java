package dev.gatehouse.hub.console;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * QR codes as PNG images, drawn on the hub (ZXing) so no script or third party sees the token: a
 * member's rotating code and a visitor's pass, on screen, printed or attached to an e-mail.
 */
public final class QrPng {
    private static final int SIZE = 320;

    private QrPng() {}

    /** {@code text} (a signed QR token) as a PNG, with a quiet zone, error correction M. */
    public static byte[] png(String text) {
        return png(text, SIZE);
    }

    /** {@code text} as a PNG of {@code size} pixels square. */
    public static byte[] png(String text, int size) {
        try {
            BitMatrix matrix = new QRCodeWriter()
                    .encode(
                            text,
                            BarcodeFormat.QR_CODE,
                            size,
                            size,
                            Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MatrixToImageWriter.writeToStream(matrix, "PNG", out);
            return out.toByteArray();
        } catch (WriterException e) {
            throw new IllegalArgumentException(
                    "a QR token too long for a QR code: " + text.length() + " characters", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the PNG, never cached: the token inside is a credential. */
    static void send(ServerResponse res, byte[] png) {
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(png);
    }
}
