package dev.gatehouse.hub.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** The system clock (or one standing still) plus an offset a test moves forward (expiry, throttling windows). */
public final class MovableClock extends Clock {
    private final Clock base;
    private volatile Duration offset = Duration.ZERO;

    public MovableClock() {
        this(Clock.systemUTC());
    }

    private MovableClock(Clock base) {
        this.base = base;
    }

    /**
     * A clock standing still at this minute until the test moves it, so that a store decides at the
     * very instant the test's model does (a refund in time or late, say).
     */
    public static MovableClock standingStill() {
        return new MovableClock(Clock.fixed(Instant.now().truncatedTo(ChronoUnit.MINUTES), ZoneOffset.UTC));
    }

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    /** Moves the clock to {@code instant} (on a clock standing still, exactly there). */
    public void moveTo(Instant instant) {
        offset = Duration.between(base.instant(), instant);
    }

    public Duration offset() {
        return offset;
    }

    public void set(Duration offset) {
        this.offset = offset;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }
}
