package dev.gatehouse.edge.av;

import dev.gatehouse.protocol.message.RoomState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A room's A/V as its scheduler last left it: the mode (as {@code device.state} reports it), the booking it serves, the values it wants
 * (overrides included), those not confirmed yet, the overridden functions, the faults, each
 * function's last value confirmed by read-back, and whether the presence sensor (if the room has
 * one, and it answered at the last wake-up) sees someone.
 */
public record RoomAvStatus(
        String room,
        RoomState.Mode mode,
        Optional<String> bookingId,
        Map<RoomFunction, AvValue> wanted,
        Set<RoomFunction> unconfirmed,
        Set<RoomFunction> overridden,
        Map<RoomFunction, String> faults,
        Map<RoomFunction, AvValue> confirmed,
        Optional<Boolean> occupied) {

    public RoomAvStatus {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(bookingId, "bookingId");
        wanted = Map.copyOf(wanted);
        unconfirmed = Set.copyOf(unconfirmed);
        overridden = Set.copyOf(overridden);
        faults = Map.copyOf(faults);
        confirmed = Map.copyOf(confirmed);
        Objects.requireNonNull(occupied, "occupied");
    }

    static RoomAvStatus starting(String room) {
        return new RoomAvStatus(
                room,
                RoomState.Mode.STARTING,
                Optional.empty(),
                Map.of(),
                Set.of(),
                Set.of(),
                Map.of(),
                Map.of(),
                Optional.empty());
    }
}
