package dev.gatehouse.edge.av;

import java.time.Duration;
import java.util.Objects;

/**
 * How a room's writes are retried: at most {@code attempts} tries in a row, the first retry after
 * {@code backoff} and each next one after twice the wait before. A function still unconfirmed then is
 * reported as a fault and tried again once a minute, and at every change of the room's scene.
 */
public record RetryPolicy(int attempts, Duration backoff) {
    /** Three tries (two retries), after 500 ms and 1 s: a write is confirmed or a fault within about 2 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(500));

    public RetryPolicy {
        Objects.requireNonNull(backoff, "backoff");
        if (attempts < 1 || backoff.isNegative() || backoff.isZero()) {
            throw new AvException(
                    AvError.BAD_ARGUMENT,
                    "retry at least once after a positive backoff, not " + attempts + " / " + backoff);
        }
    }

    /** The wait before the next try, after {@code failed} tries have failed (1 or more). */
    Duration delayAfter(int failed) {
        return backoff.multipliedBy(1L << Math.min(Math.max(failed - 1, 0), 16));
    }
}
