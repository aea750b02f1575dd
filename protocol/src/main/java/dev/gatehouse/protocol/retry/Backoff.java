package dev.gatehouse.protocol.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before reconnecting after {@code attempt} failures in a row: an exponential
 * ceiling ({@code initial}, doubled per failure, at most {@code max}) with "equal jitter", a delay
 * drawn uniformly from the upper half of the ceiling. The jitter spreads a fleet of edges (or hub
 * replicas) that lost the broker at the same instant, so they do not all come back in one burst; the
 * lower half never shrinks to zero, so a client that keeps failing does not spin.
 *
 * <p>A pure function: the randomness is passed in, so a test hands in a fixed generator and checks
 * the exact delay. The edge's MQTT client, the hub's MQTT link and the edge's serial readers all use it.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "a reconnect backoff needs 0 < initial <= max, got initial " + initial + ", max " + max);
        }
    }

    /**
     * The ceiling after {@code attempt} failures in a row (0 for the first retry): {@code initial ·
     * 2^attempt}, at most {@code max}.
     */
    public Duration ceiling(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be 0 or more, got " + attempt);
        }
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        // Shifting past the ceiling's bit length overflows; any attempt that far is at the cap.
        int shift = Math.min(attempt, 62);
        long ceiling = initialNanos << shift;
        if (ceiling <= 0 || (ceiling >> shift) != initialNanos || ceiling > maxNanos) {
            ceiling = maxNanos;
        }
        return Duration.ofNanos(ceiling);
    }

    /**
     * The delay before the next try after {@code attempt} failures in a row: uniformly in
     * [ceiling/2, ceiling], with {@code random} deciding where.
     */
    public Duration delay(int attempt, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        long ceiling = ceiling(attempt).toNanos();
        long half = ceiling / 2;
        return Duration.ofNanos(ceiling - half + (long) (random.nextDouble() * (half + 1)));
    }
}
