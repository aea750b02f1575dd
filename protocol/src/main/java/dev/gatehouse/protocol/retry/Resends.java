package dev.gatehouse.protocol.retry;

import java.time.Duration;

/**
 * How long an edge waits for the hub's {@code event.ack} before it publishes an event again.
 *
 * <p>The base wait is the ack timeout, or longer where the hub's acks have been taking longer: the
 * edge keeps a smoothed ack latency and its variation as TCP keeps a round-trip time (RFC 6298:
 * {@code srtt + 4 × rttvar}). A sample is the time from an event's publish to its ack, taken only
 * from events published once (Karn's algorithm): the ack of an event sent twice may answer either
 * copy, and measuring from the first made one killed hub replica's lost events stretch every wait to
 * a minute. The wait doubles after each round of re-sends (for the caller to count: the events
 * falling due within one wait, as TCP doubles its timer once per expiry), and only a sample starts
 * it again from the base: acks of re-sent events are what an overloaded hub sends while it works
 * through copies, and say nothing of how far behind it is. Together they keep an
 * overloaded hub (a whole region reconnecting after an outage, its acks a minute behind) from being
 * sent the same backlog again every ack timeout, which it would store as duplicates instead of new
 * events, while a hub that acks in milliseconds still gets a lost ack's event again after one ack
 * timeout. No wait is longer than {@value #MAX_DOUBLINGS} doublings of the ack timeout (160 s with
 * the agent's default 10 s). Thread-safe: acks and drains run on different threads.
 */
public final class Resends {
    /** The wait grows to at most 2^4 = 16 ack timeouts (160 s with the agent's default 10 s). */
    public static final int MAX_DOUBLINGS = 4;

    private final Duration ackTimeout;
    private final long maxNanos;
    /** Smoothed ack latency and its mean deviation, nanoseconds; 0 before the first sample. */
    private long srtt;

    private long rttvar;

    public Resends(Duration ackTimeout) {
        if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("the ack timeout must be positive, not " + ackTimeout);
        }
        this.ackTimeout = ackTimeout;
        this.maxNanos = ackTimeout.toNanos() << MAX_DOUBLINGS;
    }

    public Duration ackTimeout() {
        return ackTimeout;
    }

    /** The wait after {@code unanswered} rounds of re-sends since the last sample. */
    public synchronized Duration after(int unanswered) {
        long base = Math.max(ackTimeout.toNanos(), srtt == 0 ? 0 : srtt + 4 * rttvar);
        int doublings = Math.max(0, Math.min(unanswered, MAX_DOUBLINGS));
        return Duration.ofNanos(Math.min(maxNanos, base > maxNanos >> doublings ? maxNanos : base << doublings));
    }

    /**
     * An ack came {@code sincePublish} after its event's only publish in this session; not for an event
     * published more than once (its ack may answer either copy).
     */
    public synchronized void acked(Duration sincePublish) {
        long sample = Math.max(0, Math.min(sincePublish.toNanos(), maxNanos));
        if (srtt == 0) {
            srtt = Math.max(1, sample);
            rttvar = sample / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - sample)) / 4;
            srtt = Math.max(1, (7 * srtt + sample) / 8);
        }
    }

    /** The smoothed ack latency so far (zero before the first ack). */
    public synchronized Duration latency() {
        return Duration.ofNanos(srtt);
    }
}
