package dev.gatehouse.edge.reader;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a reader waits before opening its device again after losing it: {@code initial}, doubled
 * after every failed attempt, at most {@code max}; back to {@code initial} once the device works.
 */
public record ReconnectBackoff(Duration initial, Duration max) {
    public ReconnectBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new ReaderException(
                    ReaderError.BAD_SETTING,
                    "reconnect backoff needs 0 < initial <= max, got initial " + initial + ", max " + max);
        }
    }

    /** 250 ms, doubling up to 5 s. */
    public static ReconnectBackoff defaults() {
        return new ReconnectBackoff(Duration.ofMillis(250), Duration.ofSeconds(5));
    }

    Duration after(Duration previous) {
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(max) > 0 ? max : doubled;
    }
}
