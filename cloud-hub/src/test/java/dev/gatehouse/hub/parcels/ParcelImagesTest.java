package dev.gatehouse.hub.parcels;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * What the hub makes of an uploaded photo or signature: a JPEG or PNG known by its magic bytes is
 * decoded and written anew (so a camera's EXIF block, with its location, and bytes hidden after the
 * image do not survive); anything else, a damaged file or an image too large is refused with a
 * sentence that says what to do.
 */
class ParcelImagesTest {
    private static byte[] encode(String format, int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0x996633);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    /** A JPEG with an APP1 "Exif" segment (as a phone writes, GPS and all) right after its SOI marker. */
    private static byte[] jpegWithExif() throws Exception {
        byte[] jpeg = encode("jpeg", 40, 30);
        byte[] payload = "Exif\0\0GPS 52.5200N 13.4050E".getBytes(StandardCharsets.ISO_8859_1);
        int length = payload.length + 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(new byte[] {(byte) 0xff, (byte) 0xe1, (byte) (length >> 8), (byte) length});
        out.write(payload);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static boolean contains(byte[] bytes, String text) {
        byte[] needle = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aJpegIsTakenAndWrittenAnewWithoutItsExifBlock() throws Exception {
        byte[] upload = jpegWithExif();
        assertThat(contains(upload, "GPS 52.5200N")).isTrue();
        ParcelImages.Checked checked = ParcelImages.check(upload, false);
        assertThat(checked).isInstanceOf(ParcelImages.Image.class);
        ParcelImages.Image image = (ParcelImages.Image) checked;
        assertThat(image.contentType()).isEqualTo("image/jpeg");
        assertThat(contains(image.bytes(), "GPS 52.5200N")).isFalse();
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(image.bytes())).getWidth())
                .isEqualTo(40);
    }

    @Test
    void bytesHiddenAfterAPngDoNotSurvive() throws Exception {
        byte[] png = encode("png", 20, 10);
        byte[] upload = Arrays.copyOf(png, png.length + 12);
        System.arraycopy("<script>x</s".getBytes(StandardCharsets.ISO_8859_1), 0, upload, png.length, 12);
        ParcelImages.Image image = (ParcelImages.Image) ParcelImages.fromText(
                "data:image/png;base64," + Base64.getEncoder().encodeToString(upload), false);
        assertThat(image.contentType()).isEqualTo("image/png");
        assertThat(contains(image.bytes(), "<script>")).isFalse();
    }

    @Test
    void anythingButAJpegOrPngIsRefusedSayingWhatToDo() throws Exception {
        assertThat(refusal(ParcelImages.check(encode("gif", 10, 10), false))).contains("not a JPEG or PNG");
        assertThat(refusal(ParcelImages.check(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8), false)))
                .contains("not a JPEG or PNG");
        // A signature must be a PNG: a JPEG is refused there.
        assertThat(refusal(ParcelImages.check(encode("jpeg", 10, 10), true))).contains("signature must be a PNG");
        byte[] png = encode("png", 10, 10);
        assertThat(refusal(ParcelImages.check(Arrays.copyOf(png, 30), false))).contains("could not be read");
        assertThat(refusal(ParcelImages.fromText("data:image/png;base64,@@@@", false)))
                .contains("base64");
        assertThat(refusal(ParcelImages.fromText("", false))).contains("empty");
        assertThat(refusal(ParcelImages.check(encode("png", ParcelImages.MAX_SIDE + 1, 2), false)))
                .contains("pixels");
        assertThat(refusal(ParcelImages.check(new byte[ParcelImages.MAX_BYTES + 1], false)))
                .contains("at most " + ParcelImages.MAX_BYTES);
    }

    private static String refusal(ParcelImages.Checked checked) {
        assertThat(checked).isInstanceOf(ParcelImages.Refused.class);
        return ((ParcelImages.Refused) checked).reason();
    }
}
