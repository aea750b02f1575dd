package dev.gatehouse.protocol.model;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A member's right to pass some doors, directly or through door groups, on a schedule (absent: at
 * any time), within an optional validity window and, optionally, on a limited number of days
 * ({@link Entries}: a 10-pass). The hub compiles plans into grants.
 */
public record Grant(
        GrantId id,
        MemberId member,
        Set<DoorGroupId> doorGroups,
        Set<DoorId> doors,
        Optional<ScheduleId> schedule,
        Optional<Instant> validFrom,
        Optional<Instant> validUntil,
        Optional<Entries> entries)
        implements Entity {
    /** What an edge lists in its device state's features when it reads and counts {@code entries}. */
    public static final String FEATURE = "entry-passes";

    /**
     * An entries limit: the grant opens doors on at most {@code limit} distinct days (site-local
     * dates); {@code spent} are the days the hub has counted so far, ascending, each once, at most
     * {@code limit} of them. The first granted entry of a day spends it; more entries that day are free.
     */
    public record Entries(int limit, List<LocalDate> spent) {
        public static final int MAX_LIMIT = 1000;

        public Entries {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw Checks.bad("grant entries limit is " + limit + "; it must be between 1 and " + MAX_LIMIT);
            }
            spent = List.copyOf(Checks.present(spent, "grant entries spent"));
            if (spent.size() > limit) {
                throw Checks.bad(
                        "grant entries spent lists " + spent.size() + " days, more than the limit of " + limit);
            }
            for (int i = 1; i < spent.size(); i++) {
                if (!spent.get(i).isAfter(spent.get(i - 1))) {
                    throw Checks.bad("grant entries spent[" + i + "] " + spent.get(i) + " does not come after "
                            + spent.get(i - 1) + "; the days must be ascending and each listed once");
                }
            }
        }

        /** Days still open: {@code limit} minus the days spent. */
        public int remaining() {
            return limit - spent.size();
        }
    }

    /** A grant without an entries limit. */
    public Grant(
            GrantId id,
            MemberId member,
            Set<DoorGroupId> doorGroups,
            Set<DoorId> doors,
            Optional<ScheduleId> schedule,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil) {
        this(id, member, doorGroups, doors, schedule, validFrom, validUntil, Optional.empty());
    }

    public Grant {
        Checks.present(id, "grant id");
        Checks.present(member, "grant " + id + " member");
        doorGroups = Set.copyOf(Checks.present(doorGroups, "grant " + id + " doorGroups"));
        doors = Set.copyOf(Checks.present(doors, "grant " + id + " doors"));
        Checks.present(schedule, "grant " + id + " schedule");
        Checks.window(validFrom, validUntil, "grant " + id);
        Checks.present(entries, "grant " + id + " entries");
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
