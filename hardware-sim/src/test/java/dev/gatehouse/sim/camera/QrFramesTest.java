package dev.gatehouse.sim.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The simulator's frames must be what a camera would deliver: the asked size, deterministic per seed. */
class QrFramesTest {
    @Test
    void framesHaveTheRequestedSizeAndTheSameSeedGivesTheSameNoise() {
        BufferedImage first = QrFrames.frame("hello", 320, 240, new QrFrames.Placement(10, 0.8, 0.1, 5));
        BufferedImage second = QrFrames.frame("hello", 320, 240, new QrFrames.Placement(10, 0.8, 0.1, 5));

        assertThat(first.getWidth()).isEqualTo(320);
        assertThat(first.getHeight()).isEqualTo(240);
        for (int y = 0; y < 240; y += 17) {
            for (int x = 0; x < 320; x += 13) {
                assertThat(first.getRGB(x, y)).isEqualTo(second.getRGB(x, y));
            }
        }
    }

    @Test
    void theCodeIsDarkOnLightInTheMiddleOfAGreyFrame() {
        BufferedImage frame = QrFrames.frame("hello", 320, 240, QrFrames.Placement.STRAIGHT);

        assertThat(frame.getRGB(2, 2) & 0xFF).isEqualTo(0x80);
        // The top-left finder pattern's outer ring is dark.
        int darkPixels = 0;
        for (int x = 0; x < 320; x++) {
            if ((frame.getRGB(x, 120) & 0xFF) < 0x40) {
                darkPixels++;
            }
        }
        assertThat(darkPixels).isGreaterThan(20);
    }

    @Test
    void impossiblePlacementsAreRefused() {
        assertThatThrownBy(() -> new QrFrames.Placement(0, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QrFrames.Placement(0, 1, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
