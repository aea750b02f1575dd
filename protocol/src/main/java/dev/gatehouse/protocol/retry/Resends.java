package dev.gatehouse.protocol.retry;

import java.time.Duration;

/**
 * How long an edge waits for the hub's {@code event.ack} before it publishes an event again: the ack
 * timeout, doubled after each round of re-sends that no ack followed, at most {@value #MAX_DOUBLINGS}
 * times; any ack starts again from the ack timeout. An overloaded hub (a whole region reconnecting after
 * an outage) is then not sent the same backlog again every ack timeout, which it would store as
 * duplicates instead of new events; a single lost ack still costs one ack timeout.
 */
public record Resends(Duration ackTimeout) {
    /** The wait grows to at most 2^4 = 16 ack timeouts (160 s with the agent's default 10 s). */
    public static final int MAX_DOUBLINGS = 4;

    public Resends {
        if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("the ack timeout must be positive, not " + ackTimeout);
        }
    }

    /** The wait after {@code unanswered} rounds of re-sends in a row that no ack followed. */
    public Duration after(int unanswered) {
        return ackTimeout.multipliedBy(1L << Math.max(0, Math.min(unanswered, MAX_DOUBLINGS)));
    }
}
