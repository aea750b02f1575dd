package dev.gatehouse.hub.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When a delivery is tried: at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (Svix's
 * schedule): 8 attempts over 27 h 35 min. After the last failed attempt the delivery is a dead letter.
 */
public record RetrySchedule(List<Duration> delays) {
    public static final RetrySchedule STANDARD = new RetrySchedule(List.of(
            Duration.ZERO,
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10)));

    public RetrySchedule {
        delays = List.copyOf(delays);
    }

    public int attempts() {
        return delays.size();
    }

    /** The wait before the attempt after a failed {@code step} (0-based), or empty when that was the last. */
    public Optional<Duration> after(int step) {
        return step + 1 < delays.size() ? Optional.of(delays.get(step + 1)) : Optional.empty();
    }
}
