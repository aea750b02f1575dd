package dev.gatehouse.edge.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.sim.camera.QrFrames;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * People hold phones crooked, far away and in poor light; the camera reader must still find the code,
 * and a frame with nothing in it must simply be nothing.
 */
class QrFrameDecoderTest {
    /** A realistic member token's length (see the protocol spec, "QR tokens"). */
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0."
            + "eyJ0IjoiYWNtZSIsInMiOlsiaHEtYmVybGluIl0sImMiOiJxci0xMDQyIiwibmJmIjoxNzk1NDIwNzQwLCJleHAiOjE3OTU0MjA4MDAsImp0aSI6ImhUM3lxOFprMGIxUCJ9."
            + "x".repeat(86);

    private final QrFrameDecoder decoder = new QrFrameDecoder();

    @ParameterizedTest(name = "rotated {0}°, scale {1}, noise {2}")
    @CsvSource({
        "0, 1.0, 0",
        "1, 0.7, 0",
        "12, 0.9, 0",
        "45, 0.8, 0",
        "90, 1.0, 0",
        "180, 1.0, 0",
        "0, 0.55, 0",
        "20, 0.9, 0.08"
    })
    void aCodeHeldAtTheCameraIsRead(double rotation, double scale, double noise) {
        BufferedImage frame = QrFrames.frame(TOKEN, 640, 480, new QrFrames.Placement(rotation, scale, noise, 42));

        assertThat(decoder.decode(frame)).contains(TOKEN);
    }

    @Test
    void aFrameWithoutACodeIsEmpty() {
        assertThat(decoder.decode(QrFrames.empty(640, 480, 0.1, 7))).isEmpty();
    }

    @Test
    void framesComeFromACaptureCommandsOutput(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("frame.png");
        ImageIO.write(QrFrames.frame(TOKEN, 320, 240, QrFrames.Placement.STRAIGHT), "png", png.toFile());

        try (CommandFrameSource source = new CommandFrameSource(List.of("cat", png.toString()), 5_000)) {
            assertThat(source.next().flatMap(decoder::decode)).contains(TOKEN);
        }
    }

    @Test
    void aCaptureCommandThatHangsIsAFaultWithinItsTimeout() {
        // A wedged camera must be reported, not freeze the reader.

        assertThatThrownBy(() -> new CommandFrameSource(List.of("sleep", "30"), 500).next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not finish in 500 ms");
    }

    @Test
    void aCaptureCommandThatFailsOrPrintsNoImageSaysSo() {
        assertThatThrownBy(() -> new CommandFrameSource(List.of("false"), 5_000).next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with 1");
        assertThatThrownBy(() -> new CommandFrameSource(List.of("echo", "hello"), 5_000).next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a PNG or JPEG");
    }
}
