package dev.gatehouse.protocol.model;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A member's right to pass some doors, directly or through door groups, on a schedule (absent: at
 * any time) and within an optional validity window. The hub compiles plans into grants.
 */
public record Grant(
        GrantId id,
        MemberId member,
        Set<DoorGroupId> doorGroups,
        Set<DoorId> doors,
        Optional<ScheduleId> schedule,
        Optional<Instant> validFrom,
        Optional<Instant> validUntil)
        implements Entity {
    public Grant {
        Checks.present(id, "grant id");
        Checks.present(member, "grant " + id + " member");
        doorGroups = Set.copyOf(Checks.present(doorGroups, "grant " + id + " doorGroups"));
        doors = Set.copyOf(Checks.present(doors, "grant " + id + " doors"));
        Checks.present(schedule, "grant " + id + " schedule");
        Checks.window(validFrom, validUntil, "grant " + id);
        if (doorGroups.isEmpty() && doors.isEmpty()) {
            throw Checks.bad("grant " + id + " names no door and no door group");
        }
    }

    @Override
    public EntityKind kind() {
        return EntityKind.GRANT;
    }

    @Override
    public String key() {
        return id.value();
    }
}
