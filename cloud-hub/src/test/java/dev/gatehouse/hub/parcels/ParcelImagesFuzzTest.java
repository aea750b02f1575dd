package dev.gatehouse.hub.parcels;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for the hub's uploads: parcel photos and pickup signatures, checked and re-encoded by
 * {@link ParcelImages} before they are stored. The contract of both entry points: an {@link
 * ParcelImages.Image} or a {@link ParcelImages.Refused} that says what to do — never an exception,
 * never a hang or a decoded image larger than the limits. An image the hub wrote is itself accepted
 * again (re-encoding is stable).
 *
 * <ul>
 *   <li>{@code photo}: the uploaded bytes, as a photo (JPEG or PNG) and as a signature (PNG only).
 *   <li>{@code text}: the form's text field (a {@code data:} URL or bare base64).
 * </ul>
 *
 * The decoders are the JDK's ImageIO, which Jazzer does not instrument: coverage guides the fuzzer
 * through the hub's checks only, so this target finds less per execution than the others.
 */
class ParcelImagesFuzzTest {

    @FuzzTest
    void photo(byte[] input) {
        check(ParcelImages.check(input, false));
        check(ParcelImages.check(input, true));
    }

    @FuzzTest
    void text(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        check(ParcelImages.fromText(text, false));
    }

    private static void check(ParcelImages.Checked checked) {
        switch (checked) {
            case ParcelImages.Refused refused -> assertThat(refused.reason()).isNotBlank();
            case ParcelImages.Image image -> {
                assertThat(image.bytes().length).isLessThanOrEqualTo(ParcelImages.MAX_BYTES);
                boolean png = image.contentType().equals("image/png");
                assertThat(ParcelImages.check(image.bytes(), png)).isInstanceOf(ParcelImages.Image.class);
            }
        }
    }
}
