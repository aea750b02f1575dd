package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.sim.camera.QrFrames;
import dev.gatehouse.sim.camera.SimulatedCamera;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A code held up to the door camera opens the door once, not once per frame. */
class CameraQrReaderTest {
    private final SimulatedCamera camera = new SimulatedCamera(320, 240);
    private final AtomicBoolean broken = new AtomicBoolean();
    private final List<String> presented = new CopyOnWriteArrayList<>();
    private final List<String> faults = new CopyOnWriteArrayList<>();
    private final List<String> restored = new CopyOnWriteArrayList<>();
    private final CameraQrReader reader = new CameraQrReader(
            "cam-1",
            () -> {
                if (broken.get()) {
                    throw new IOException("capture command exited with 1");
                }
                return camera.frame();
            },
            Duration.ofMillis(20),
            Duration.ofSeconds(60),
            Clock.systemUTC());

    @AfterEach
    void stop() {
        reader.close();
    }

    private void start() {
        reader.start(new ReaderListener() {
            @Override
            public void presented(String readerId, Presentation presentation) {
                presented.add(((Presentation.QrText) presentation).text());
            }

            @Override
            public void fault(String readerId, String detail) {
                faults.add(detail);
            }

            @Override
            public void restored(String readerId) {
                restored.add(readerId);
            }
        });
    }

    @Test
    void aCodeInViewIsReportedOnceAndAgainAfterItLeftTheView() {
        start();
        camera.show("code-1", new QrFrames.Placement(8, 0.9, 0.02, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> presented.size() == 1);
        // Many frames later it is still one presentation.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> presented.size() == 1);

        camera.clear();
        // Out of view for several frames.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> presented.size() == 1);
        camera.show("code-1", QrFrames.Placement.STRAIGHT);

        await().atMost(Duration.ofSeconds(10)).until(() -> presented.size() == 2);
        assertThat(presented).containsExactly("code-1", "code-1");
    }

    @Test
    void aBrokenCaptureIsOneFaultAndTheFirstGoodFrameRestoresIt() {
        broken.set(true);
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !faults.isEmpty());
        // One outage is one fault, however many captures fail.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> faults.size() == 1);
        assertThat(faults).hasSize(1).first().asString().contains("capture command exited with 1");

        broken.set(false);
        camera.show("code-2", QrFrames.Placement.STRAIGHT);

        await().atMost(Duration.ofSeconds(10)).until(() -> presented.contains("code-2"));
        assertThat(restored).containsExactly("cam-1");
    }

    @Test
    void anUnpluggedCameraDeliversNothing() {
        camera.unplug();
        camera.show("code-3", QrFrames.Placement.STRAIGHT);
        assertThat(camera.frame()).isEqualTo(Optional.empty());
        camera.replug();
        assertThat(camera.frame()).isPresent();
    }
}
