package dev.gatehouse.protocol.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A room booking: its member may pass the room's doors from {@code start - bufferBefore} until
 * {@code end + bufferAfter} (exclusive).
 */
public record Booking(
        BookingId id,
        MemberId member,
        Set<DoorId> doors,
        Instant start,
        Instant end,
        Duration bufferBefore,
        Duration bufferAfter)
        implements Entity {
    public static final Duration MAX_BUFFER = Duration.ofHours(2);

    public Booking {
        Checks.present(id, "booking id");
        Checks.present(member, "booking " + id + " member");
        doors = Set.copyOf(Checks.present(doors, "booking " + id + " doors"));
        Checks.present(start, "booking " + id + " start");
        Checks.present(end, "booking " + id + " end");
        if (!end.isAfter(start)) {
            throw Checks.bad("booking " + id + " ends at " + end + ", which is not after its start " + start);
        }
        Checks.within(bufferBefore, Duration.ZERO, MAX_BUFFER, "booking " + id + " bufferBefore");
        Checks.within(bufferAfter, Duration.ZERO, MAX_BUFFER, "booking " + id + " bufferAfter");
        if (doors.isEmpty()) {
            throw Checks.bad("booking " + id + " names no door");
        }
    }

    /** Whether {@code at} falls within the booking and its buffers. */
    public boolean admits(Instant at) {
        return !at.isBefore(start.minus(bufferBefore)) && at.isBefore(end.plus(bufferAfter));
    }

    @Override
    public EntityKind kind() {
        return EntityKind.BOOKING;
    }

    @Override
    public String key() {
        return id.value();
    }
}
