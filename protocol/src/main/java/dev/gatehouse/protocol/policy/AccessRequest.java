package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DoorId;
import java.time.Duration;
import java.time.Instant;

/**
 * Everything about one presentation except the entitlements: what was presented, at which door, at
 * which instant (by the edge's clock), whether that clock is trusted, how long the link to the hub
 * has been down ({@code Duration.ZERO} when online), and the door's mode.
 */
public record AccessRequest(
        Presented presented, DoorId door, Instant at, ClockStatus clock, Duration offlineFor, DoorMode mode) {
    public AccessRequest {
        Checks.present(presented, "presented");
        Checks.present(door, "door");
        Checks.present(at, "at");
        Checks.present(clock, "clock");
        Checks.nonNegative(offlineFor, "offlineFor");
        Checks.present(mode, "mode");
    }

    /** An online request with a trusted clock and the door in normal mode. */
    public static AccessRequest online(Presented presented, DoorId door, Instant at) {
        return new AccessRequest(presented, door, at, ClockStatus.TRUSTED, Duration.ZERO, DoorMode.NORMAL);
    }
}
