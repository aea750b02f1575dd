package dev.gatehouse.edge.reader;

import dev.gatehouse.protocol.retry.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread of a serial reader: open the device, run the reader's session on it until the
 * device fails, report the loss once, wait with backoff, open it again, and so on until closed. A
 * failure never escapes the loop. The wait is the shared {@link Backoff} after as many failed
 * attempts in a row (with its jitter, so readers that lost power together do not retry in step); it
 * starts over once the device has worked. The device path is opened afresh every time, so a replugged reader
 * is found at its stable path (udev link) even when the kernel gave it a new node.
 */
final class ReaderLoop {
    private static final Logger log = LoggerFactory.getLogger(ReaderLoop.class);
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(5);
    /** A reader's reconnect backoff unless its settings say otherwise: 250 ms, doubling up to 5 s. */
    static final Backoff DEFAULT_RECONNECT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));

    /** What a reader does with an open device. */
    interface Session {
        /**
         * Works the device until it fails (throws {@link ReaderException}) or {@code running} turns
         * false (returns, or throws {@link ReaderClosed}).
         */
        void run(SerialLink link, ReaderHealth health, BooleanSupplier running);
    }

    private final String readerId;
    private final Path device;
    private final int baudRate;
    private final Backoff backoff;
    private final Session session;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread thread;

    ReaderLoop(String readerId, Path device, int baudRate, Backoff backoff, Session session) {
        this.readerId = Objects.requireNonNull(readerId, "readerId");
        this.device = Objects.requireNonNull(device, "device");
        this.baudRate = baudRate;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.session = Objects.requireNonNull(session, "session");
    }

    synchronized void start(ReaderListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (thread != null) {
            throw new ReaderException(ReaderError.ALREADY_STARTED, "reader " + readerId + " was already started");
        }
        ReaderHealth health = new ReaderHealth(readerId, listener);
        thread = Thread.ofPlatform().name("reader-" + readerId).daemon().start(() -> loop(health));
    }

    void close() {
        stopped.countDown();
        Thread running = thread;
        if (running == null || running == Thread.currentThread()) {
            return;
        }
        try {
            if (!running.join(JOIN_LIMIT)) {
                log.warn("reader {}: its thread did not stop within {}", readerId, JOIN_LIMIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean running() {
        return stopped.getCount() > 0;
    }

    private void loop(ReaderHealth health) {
        int attempt = 0; // failed attempts since the device last worked
        while (running()) {
            try (SerialLink link = SerialLink.open(device, baudRate)) {
                session.run(link, health, this::running);
            } catch (ReaderClosed e) {
                return;
            } catch (ReaderException e) {
                if (!running()) {
                    return;
                }
                if (health.connected()) {
                    attempt = 0;
                }
                health.lost(e.getMessage());
            } catch (RuntimeException e) {
                if (!running()) {
                    return;
                }
                log.error("reader {}: unexpected failure, reopening the device", readerId, e);
                health.lost("internal error in the reader: " + e);
            }
            if (awaitStop(backoff.delay(attempt, ThreadLocalRandom.current()))) {
                return;
            }
            attempt++;
        }
    }

    /** Waits up to {@code delay}; true when the reader was closed meanwhile. */
    private boolean awaitStop(Duration delay) {
        try {
            return stopped.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
