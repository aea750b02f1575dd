package dev.gatehouse.edge.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bounds PIN guessing: {@link #MAX_WRONG} wrong PINs from one place (a kiosk, a door) within {@link
 * #WINDOW} lock that place for {@link #LOCK}, counted from the last wrong PIN. While locked no PIN is
 * looked up at all. With n passes active at a site a random PIN hits one with probability n / 10^6:
 * at 5 guesses per 5 minutes, 50 active passes take an attacker about 14 days of continuous guessing
 * per expected hit (see the protocol README, Visitor passes).
 */
public final class PinThrottle {
    public static final int MAX_WRONG = 5;
    public static final Duration WINDOW = Duration.ofMinutes(5);
    public static final Duration LOCK = Duration.ofMinutes(5);

    private final Clock clock;
    private final Map<String, Deque<Instant>> wrong = new HashMap<>();
    private final Map<String, Instant> lockedUntil = new HashMap<>();

    public PinThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code place} stays locked; empty when it may try a PIN now. */
    public synchronized Optional<Duration> locked(String place) {
        Instant now = clock.instant();
        Instant until = lockedUntil.get(place);
        if (until == null) {
            return Optional.empty();
        }
        if (!now.isBefore(until)) {
            lockedUntil.remove(place);
            wrong.remove(place);
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, until));
    }

    /** A wrong PIN at {@code place}; answers the lock it caused, if this was one too many. */
    public synchronized Optional<Duration> wrong(String place) {
        Instant now = clock.instant();
        Deque<Instant> times = wrong.computeIfAbsent(place, p -> new ArrayDeque<>());
        while (!times.isEmpty() && !times.peekFirst().plus(WINDOW).isAfter(now)) {
            times.removeFirst();
        }
        times.addLast(now);
        if (times.size() >= MAX_WRONG) {
            lockedUntil.put(place, now.plus(LOCK));
            return Optional.of(LOCK);
        }
        return Optional.empty();
    }

    /** Wrong PINs at {@code place} still counted (for the kiosk's "n tries left"). */
    public synchronized int wrongCount(String place) {
        Instant now = clock.instant();
        Deque<Instant> times = wrong.getOrDefault(place, new ArrayDeque<>());
        return (int) times.stream().filter(t -> t.plus(WINDOW).isAfter(now)).count();
    }
}
