package dev.gatehouse.sim.camera;

import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A door camera: shows whatever a test or a person holds up to it ({@link #show}), or an empty
 * scene ({@link #clear}). {@link #frame()} is what the agent's frame source captures. Thread-safe.
 */
public final class SimulatedCamera {
    private record Scene(Optional<String> text, QrFrames.Placement placement) {}

    private final int width;
    private final int height;
    private final AtomicReference<Scene> scene =
            new AtomicReference<>(new Scene(Optional.empty(), QrFrames.Placement.STRAIGHT));
    private volatile boolean unplugged;

    public SimulatedCamera(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** Holds a QR code with {@code text} up to the camera. */
    public void show(String text, QrFrames.Placement placement) {
        scene.set(new Scene(Optional.of(text), placement));
    }

    /** Nobody in front of the camera. */
    public void clear() {
        scene.set(new Scene(Optional.empty(), QrFrames.Placement.STRAIGHT));
    }

    /** The camera stops delivering frames, as when its cable is pulled. */
    public void unplug() {
        unplugged = true;
    }

    public void replug() {
        unplugged = false;
    }

    /** The current frame; empty while unplugged. */
    public Optional<BufferedImage> frame() {
        if (unplugged) {
            return Optional.empty();
        }
        Scene current = scene.get();
        return Optional.of(current.text()
                .map(text -> QrFrames.frame(text, width, height, current.placement()))
                .orElseGet(() -> QrFrames.empty(
                        width,
                        height,
                        current.placement().noise(),
                        current.placement().seed())));
    }
}
