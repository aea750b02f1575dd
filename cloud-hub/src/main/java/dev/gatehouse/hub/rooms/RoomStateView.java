package dev.gatehouse.hub.rooms;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A meeting room's A/V as its edge last reported it ({@code device.state}'s {@code rooms}), with the
 * reporting device's health now: a room of an {@code offline} edge shows what was true when it left.
 * Enums are wire names ({@code in-use}, {@code occupied}, {@code degraded}); times ISO-8601.
 *
 * @param resourceId the bookable resource the room is ({@link RoomResources}); null (left out) when none
 * @param doors the doors that lead into the room, as the edge's config has them
 * @param bookingId the booking the room serves; null (left out of the JSON) when none
 * @param values each function's last value the controller confirmed, by function key
 * @param faults what failed, by function key
 */
public record RoomStateView(
        String roomId,
        String resourceId,
        List<String> doors,
        String deviceId,
        String deviceHealth,
        String mode,
        String presence,
        String bookingId,
        Map<String, String> values,
        List<String> pending,
        List<String> overridden,
        Map<String, String> faults,
        String reportedAt,
        String receivedAt) {
    public RoomStateView {
        doors = List.copyOf(doors);
        values = Map.copyOf(values);
        pending = List.copyOf(pending);
        overridden = List.copyOf(overridden);
        faults = Map.copyOf(faults);
    }

    /** The bookable resource the room is, if the hub found one. */
    public Optional<String> resource() {
        return Optional.ofNullable(resourceId);
    }

    /** The booking the room serves, if any. */
    public Optional<String> booking() {
        return Optional.ofNullable(bookingId);
    }

    /** Whether the reporting edge is offline: the state is as of {@code reportedAt}. */
    public boolean offline() {
        return "offline".equals(deviceHealth);
    }
}
