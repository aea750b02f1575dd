package dev.gatehouse.edge.reader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a reader thread observes into listener calls: every transient fault (garbage, a cut
 * frame, a timeout) is reported; a lost device is reported once per outage however many reopen
 * attempts fail; and {@code restored} follows the first good exchange after any fault. A listener
 * that throws is logged, never allowed to stop the reader. Used by the reader thread only.
 */
final class ReaderHealth {
    private static final Logger log = LoggerFactory.getLogger(ReaderHealth.class);

    private enum State {
        STARTING,
        WORKING,
        FAULTED,
        LOST
    }

    private final String readerId;
    private final ReaderListener listener;
    private State state = State.STARTING;

    ReaderHealth(String readerId, ReaderListener listener) {
        this.readerId = readerId;
        this.listener = listener;
    }

    void presented(Presentation presentation) {
        try {
            listener.presented(readerId, presentation);
        } catch (RuntimeException e) {
            log.warn("reader {}: the listener failed on a presentation", readerId, e);
        }
    }

    /** A fault that leaves the device connected. */
    void fault(String detail) {
        log.info("reader {}: {}", readerId, detail);
        if (state != State.LOST) {
            state = State.FAULTED;
        }
        report(detail);
    }

    /** The device is gone or unusable; reported once until it works again. */
    void lost(String detail) {
        if (state == State.LOST) {
            log.debug("reader {}: still unavailable: {}", readerId, detail);
            return;
        }
        log.warn("reader {}: {}", readerId, detail);
        state = State.LOST;
        report(detail);
    }

    /** A good exchange: reports {@code restored} if anything went wrong since the last one. */
    void working() {
        if (state == State.FAULTED || state == State.LOST) {
            log.info("reader {}: working again", readerId);
            try {
                listener.restored(readerId);
            } catch (RuntimeException e) {
                log.warn("reader {}: the listener failed on restored", readerId, e);
            }
        }
        state = State.WORKING;
    }

    /** Whether the device has answered since it was last lost (so a new loss starts the backoff afresh). */
    boolean connected() {
        return state == State.WORKING || state == State.FAULTED;
    }

    private void report(String detail) {
        try {
            listener.fault(readerId, detail);
        } catch (RuntimeException e) {
            log.warn("reader {}: the listener failed on a fault", readerId, e);
        }
    }
}
