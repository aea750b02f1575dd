package dev.gatehouse.protocol.model;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A visitor pass: a time window, the doors it opens, its host member (if any) and whether it may be
 * used once only. The visitor presents it as a QR token naming the pass.
 */
public record VisitorPass(
        PassId id,
        Optional<MemberId> host,
        Set<DoorGroupId> doorGroups,
        Set<DoorId> doors,
        Instant validFrom,
        Instant validUntil,
        boolean singleUse,
        PassStatus status)
        implements Entity {
    public VisitorPass {
        Checks.present(id, "visitor pass id");
        Checks.present(host, "visitor pass " + id + " host");
        doorGroups = Set.copyOf(Checks.present(doorGroups, "visitor pass " + id + " doorGroups"));
        doors = Set.copyOf(Checks.present(doors, "visitor pass " + id + " doors"));
        Checks.present(validFrom, "visitor pass " + id + " validFrom");
        Checks.present(validUntil, "visitor pass " + id + " validUntil");
        Checks.window(Optional.of(validFrom), Optional.of(validUntil), "visitor pass " + id);
        Checks.present(status, "visitor pass " + id + " status");
        if (doorGroups.isEmpty() && doors.isEmpty()) {
            throw Checks.bad("visitor pass " + id + " names no door and no door group");
        }
    }

    @Override
    public EntityKind kind() {
        return EntityKind.VISITOR_PASS;
    }

    @Override
    public String key() {
        return id.value();
    }
}
