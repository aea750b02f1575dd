package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.access.ClockTrust;
import dev.gatehouse.protocol.model.ClockStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The clock is untrusted when it is behind the latest hub time the cache has seen (a Pi without a
 * real-time clock boots with a stale time), and otherwise trusted once the system clock has been
 * synchronised with a time server since boot. Sync (issue #5) adds the hub's signed time as a source.
 */
final class AgentClockTrust implements ClockTrust {
    private final Clock clock;
    private final BooleanSupplier synchronised;
    private final Supplier<Optional<Instant>> hubTimeHighWater;
    private final Duration tolerance;

    AgentClockTrust(
            Clock clock,
            BooleanSupplier synchronised,
            Supplier<Optional<Instant>> hubTimeHighWater,
            Duration tolerance) {
        this.clock = clock;
        this.synchronised = synchronised;
        this.hubTimeHighWater = hubTimeHighWater;
        this.tolerance = tolerance;
    }

    @Override
    public ClockStatus status() {
        Optional<Instant> highWater = hubTimeHighWater.get();
        if (highWater.isPresent() && clock.instant().isBefore(highWater.get().minus(tolerance))) {
            return ClockStatus.UNTRUSTED;
        }
        return synchronised.getAsBoolean() ? ClockStatus.TRUSTED : ClockStatus.UNTRUSTED;
    }
}
