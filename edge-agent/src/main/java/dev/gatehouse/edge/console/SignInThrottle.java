package dev.gatehouse.edge.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows password guessing: at most {@link #PER_ADDRESS} failed sign-ins per minute from one address
 * and {@link #OVERALL} from all addresses together; beyond that every attempt is refused, unchecked,
 * until the oldest failure is a minute old. Checking no password while refused also keeps a flood of
 * attempts from spending the Pi's CPU on Argon2.
 */
final class SignInThrottle {
    static final int PER_ADDRESS = 5;
    static final int OVERALL = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();
    private final Deque<Instant> all = new ArrayDeque<>();

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code address} must wait before its next attempt; empty when it may try now. */
    synchronized Optional<Duration> wait(String address) {
        Instant now = clock.instant();
        prune(all, now);
        Deque<Instant> mine = failures.getOrDefault(address, new ArrayDeque<>());
        prune(mine, now);
        if (mine.isEmpty()) {
            failures.remove(address);
        }
        Optional<Instant> until = Optional.empty();
        if (mine.size() >= PER_ADDRESS) {
            until = Optional.of(mine.peekFirst().plus(WINDOW));
        }
        if (all.size() >= OVERALL) {
            Instant overall = all.peekFirst().plus(WINDOW);
            until = Optional.of(until.filter(u -> u.isAfter(overall)).orElse(overall));
        }
        return until.map(u -> Duration.between(now, u));
    }

    synchronized void failed(String address) {
        Instant now = clock.instant();
        failures.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(now);
        all.addLast(now);
    }

    synchronized void succeeded(String address) {
        failures.remove(address);
    }

    private static void prune(Deque<Instant> times, Instant now) {
        while (!times.isEmpty() && !times.peekFirst().plus(WINDOW).isAfter(now)) {
            times.removeFirst();
        }
    }
}
