package dev.gatehouse.edge.reader;

import dev.gatehouse.edge.camera.FrameSource;
import dev.gatehouse.edge.camera.QrFrameDecoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A camera at a door, scanned for QR codes: one thread takes a frame every {@code frameInterval},
 * decodes it with ZXing, and reports a code once while it stays in view (again only after it has
 * been out of view, or after {@code representAfter}). A frame source that fails is a fault, and the
 * reader keeps trying; the first good frame after that is reported as restored.
 */
public final class CameraQrReader implements Reader {
    private static final Logger log = LoggerFactory.getLogger(CameraQrReader.class);

    private final String id;
    private final FrameSource frames;
    private final Duration frameInterval;
    private final Duration representAfter;
    private final Clock clock;
    private final QrFrameDecoder decoder = new QrFrameDecoder();
    private volatile boolean running;
    private Thread thread;

    public CameraQrReader(String id, FrameSource frames, Duration frameInterval, Duration representAfter, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.frames = Objects.requireNonNull(frames, "frames");
        this.frameInterval = Objects.requireNonNull(frameInterval, "frameInterval");
        this.representAfter = Objects.requireNonNull(representAfter, "representAfter");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (frameInterval.isNegative() || frameInterval.isZero()) {
            throw new ReaderException(ReaderError.BAD_SETTING, "camera " + id + ": frame interval must be positive");
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized void start(ReaderListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (thread != null) {
            throw new ReaderException(ReaderError.ALREADY_STARTED, "camera " + id + " was already started");
        }
        running = true;
        thread = new Thread(() -> loop(listener), "reader-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(ReaderListener listener) {
        Optional<String> inView = Optional.empty();
        Instant reportedAt = Instant.MIN;
        boolean faulted = false;
        while (running) {
            try {
                Optional<BufferedImage> frame = frames.next();
                long arrived = System.nanoTime();
                if (faulted && frame.isPresent()) {
                    faulted = false;
                    call(() -> listener.restored(id));
                }
                Optional<String> text = frame.flatMap(decoder::decode);
                Instant now = clock.instant();
                if (text.isPresent() && (!text.equals(inView) || !now.isBefore(reportedAt.plus(representAfter)))) {
                    String code = text.get();
                    reportedAt = now;
                    call(() -> listener.presented(id, new Presentation.QrText(code, arrived)));
                }
                if (frame.isPresent()) {
                    inView = text;
                }
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // Whatever the frame source or decoder throws is a fault of this camera, reported once;
                // the loop goes on, and the first good frame restores it.
                if (!faulted) {
                    faulted = true;
                    String detail = "camera " + id + ": " + e.getMessage();
                    call(() -> listener.fault(id, detail));
                }
            }
            try {
                Thread.sleep(frameInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void call(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("camera {}: listener failed: {}", id, e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        Thread current;
        synchronized (this) {
            current = thread;
        }
        frames.close(); // kills a capture in progress, so the thread is not held up by it
        if (current != null) {
            current.interrupt();
            try {
                current.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
