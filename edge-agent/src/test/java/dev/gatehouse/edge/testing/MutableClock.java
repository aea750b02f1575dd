package dev.gatehouse.edge.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it. Usually moved by
 * {@link ManualScheduler#advanceBy(Duration)}, which steps it to each task's due time; moving it
 * directly runs no task (call {@link ManualScheduler#runDueTasks()} afterwards). Clocks made with
 * {@link #withZone(ZoneId)} share the same time. Safe to read from any thread.
 */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public MutableClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A clock at the ISO-8601 instant {@code text}, e.g. {@code "2026-03-02T09:00:00Z"}. */
    public static MutableClock at(String text) {
        return new MutableClock(Instant.parse(text));
    }

    /** Moves the clock forward by {@code step} (zero or more). */
    public void advance(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("a clock advances by zero or more, not " + step + "; use set()");
        }
        now.updateAndGet(t -> t.plus(step));
    }

    /** Sets the clock to {@code instant}, forwards or backwards (an NTP step, say). */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId otherZone) {
        return new MutableClock(now, Objects.requireNonNull(otherZone, "zone"));
    }

    @Override
    public String toString() {
        return "MutableClock[" + now.get() + ", " + zone + "]";
    }
}
