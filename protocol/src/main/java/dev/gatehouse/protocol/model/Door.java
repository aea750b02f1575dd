package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A door and its access policy: how long a grant unlocks it, and what it does when the edge's clock
 * is untrusted or the site has been offline for longer than {@code offlineAfter}. The hub may also
 * push the door's held-open threshold and its office hours (scheduled unlock windows, in the site's
 * zone); when present they win over the edge's local configuration, and when absent the edge keeps
 * its own. An empty {@code officeHours} pushed means "no office hours". Only edges that report the
 * {@link #POLICY_FEATURE} feature in their device state can read them, and the hub sends them only to
 * sites whose edges all do.
 */
public record Door(
        DoorId id,
        String name,
        Duration unlockFor,
        DegradedMode untrustedClock,
        DegradedMode offline,
        Duration offlineAfter,
        Optional<Duration> heldOpenAfter,
        Optional<List<TimeWindow>> officeHours)
        implements Entity {
    public static final Duration MIN_UNLOCK = Duration.ofSeconds(1);
    public static final Duration MAX_UNLOCK = Duration.ofMinutes(5);
    public static final Duration MIN_HELD_OPEN = Duration.ofSeconds(5);
    public static final Duration MAX_HELD_OPEN = Duration.ofHours(1);
    public static final int MAX_OFFICE_HOURS = 28;

    /** What an edge lists in its device state's features when it applies pushed door policy. */
    public static final String POLICY_FEATURE = "door-policy";

    public Door {
        Checks.present(id, "door id");
        Checks.text(name, 100, "door " + id + " name");
        Checks.within(unlockFor, MIN_UNLOCK, MAX_UNLOCK, "door " + id + " unlockFor");
        Checks.present(untrustedClock, "door " + id + " untrustedClock");
        Checks.present(offline, "door " + id + " offline");
        Checks.nonNegative(offlineAfter, "door " + id + " offlineAfter");
        Checks.present(heldOpenAfter, "door " + id + " heldOpenAfter");
        heldOpenAfter.ifPresent(
                held -> Checks.within(held, MIN_HELD_OPEN, MAX_HELD_OPEN, "door " + id + " heldOpenAfter"));
        Checks.present(officeHours, "door " + id + " officeHours");
        officeHours = officeHours.map(List::copyOf);
        officeHours.ifPresent(windows -> {
            if (windows.size() > MAX_OFFICE_HOURS) {
                throw Checks.bad("door " + id + " has " + windows.size() + " office-hours windows; the limit is "
                        + MAX_OFFICE_HOURS);
            }
        });
    }

    /** A door with the hub's policy but no pushed held-open threshold or office hours. */
    public Door(
            DoorId id,
            String name,
            Duration unlockFor,
            DegradedMode untrustedClock,
            DegradedMode offline,
            Duration offlineAfter) {
        this(id, name, unlockFor, untrustedClock, offline, offlineAfter, Optional.empty(), Optional.empty());
    }

    /** Whether the hub pushes policy beyond what every edge reads (held-open threshold, office hours). */
    public boolean pushesPolicy() {
        return heldOpenAfter.isPresent() || officeHours.isPresent();
    }

    /** A door with the defaults: 5 s unlock, keep granting on an untrusted clock and while offline. */
    public static Door standard(String id, String name) {
        return new Door(
                DoorId.of(Ids.require(id, "door id")),
                name,
                Duration.ofSeconds(5),
                DegradedMode.KEEP_GRANTING,
                DegradedMode.KEEP_GRANTING,
                Duration.ZERO);
    }

    @Override
    public EntityKind kind() {
        return EntityKind.DOOR;
    }

    @Override
    public String key() {
        return id.value();
    }
}
