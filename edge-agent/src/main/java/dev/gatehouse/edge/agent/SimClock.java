package dev.gatehouse.edge.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The wall clock of an agent run with {@code --simulate}: the host's clock plus an offset that the
 * control socket's {@code sim clock OFFSET} sets, so a test or the chaos harness can make one agent's
 * clock jump forward or back (as a Pi's does when NTP steps it, or when it boots without a real-time
 * clock) without touching the machine's clock, which the hub, PostgreSQL and the broker share. Only
 * the simulated run makes one: on real hardware the agent reads the system clock and no request can
 * move it. Monotonic time ({@code System.nanoTime}) is not moved, as on a real Pi.
 */
public final class SimClock extends Clock {
    /** The furthest a jump may go either way. */
    public static final Duration MAX_OFFSET = Duration.ofDays(3650);

    private final Clock base;
    private final AtomicReference<Duration> offset;

    public SimClock(Clock base) {
        this(base, new AtomicReference<>(Duration.ZERO));
    }

    private SimClock(Clock base, AtomicReference<Duration> offset) {
        this.base = Objects.requireNonNull(base, "base");
        this.offset = offset;
    }

    /** Sets how far this clock reads from the host's, forward (positive) or back (negative). */
    public void setOffset(Duration value) {
        Objects.requireNonNull(value, "offset");
        if (value.abs().compareTo(MAX_OFFSET) > 0) {
            throw new IllegalArgumentException(
                    "a clock offset of at most " + MAX_OFFSET.toDays() + " days either way, not " + value);
        }
        offset.set(value);
    }

    public Duration offset() {
        return offset.get();
    }

    /**
     * Parses an offset as the {@code sim clock} request gives it: {@code 0}, or a sign, a whole number
     * and a unit of {@code s}, {@code m}, {@code h} or {@code d} ({@code +2h}, {@code -90s}).
     */
    public static Duration parseOffset(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (!t.matches("[+-][0-9]{1,9}[smhd]")) {
            throw new IllegalArgumentException(
                    "say the clock offset as 0 or a sign, a number and s, m, h or d (+2h, -90s), not '" + text + "'");
        }
        long amount = Long.parseLong(t.substring(1, t.length() - 1)) * (t.charAt(0) == '-' ? -1 : 1);
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new SimClock(base.withZone(zone), offset);
    }
}
