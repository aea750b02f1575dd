package dev.gatehouse.edge.av;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A room's A/V as its scheduler last left it: the mode, the booking it serves, the values it wants
 * (overrides included), those not confirmed yet, the overridden functions and the faults.
 */
public record RoomAvStatus(
        String room,
        Mode mode,
        Optional<String> bookingId,
        Map<RoomFunction, AvValue> wanted,
        Set<RoomFunction> unconfirmed,
        Set<RoomFunction> overridden,
        Map<RoomFunction, String> faults) {

    /** Where a room is in its day. */
    public enum Mode {
        /** Not started yet. */
        STARTING,
        /** Nothing booked soon: display off, lights at their standby level. */
        STANDBY,
        /** A booking's warm-up or the booking itself: its scene. */
        IN_USE,
        /** Between a booking and the next one, which starts within 30 minutes: the scene stays, without a join link. */
        BETWEEN
    }

    public RoomAvStatus {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(bookingId, "bookingId");
        wanted = Map.copyOf(wanted);
        unconfirmed = Set.copyOf(unconfirmed);
        overridden = Set.copyOf(overridden);
        faults = Map.copyOf(faults);
    }

    static RoomAvStatus starting(String room) {
        return new RoomAvStatus(room, Mode.STARTING, Optional.empty(), Map.of(), Set.of(), Set.of(), Map.of());
    }
}
