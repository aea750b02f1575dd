package dev.gatehouse.hub.testing;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.imageio.ImageIO;

/** Reads the text of a QR code image the hub drew (a pass, a member's code), as a phone would scan it. */
public final class QrImages {
    private QrImages() {}

    /**
     * The text of the QR code in {@code png}. The hub draws the code itself, so it is read as a pure
     * barcode with the QR reader only: a multi-format reader tries the 1-D formats first and may read a
     * QR image's modules as some other code's garbage, and the finder-pattern search once missed a
     * clean image on CI.
     */
    public static String decode(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        if (image == null) {
            throw new IllegalArgumentException("not an image the JDK can read (" + png.length + " bytes)");
        }
        return new QRCodeReader()
                .decode(
                        new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))),
                        Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE))
                .getText();
    }
}
