package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.time.Duration;

/**
 * A door and its access policy: how long a grant unlocks it, and what it does when the edge's clock
 * is untrusted or the site has been offline for longer than {@code offlineAfter}.
 */
public record Door(
        DoorId id,
        String name,
        Duration unlockFor,
        DegradedMode untrustedClock,
        DegradedMode offline,
        Duration offlineAfter)
        implements Entity {
    public static final Duration MIN_UNLOCK = Duration.ofSeconds(1);
    public static final Duration MAX_UNLOCK = Duration.ofMinutes(5);

    public Door {
        Checks.present(id, "door id");
        Checks.text(name, 100, "door " + id + " name");
        Checks.within(unlockFor, MIN_UNLOCK, MAX_UNLOCK, "door " + id + " unlockFor");
        Checks.present(untrustedClock, "door " + id + " untrustedClock");
        Checks.present(offline, "door " + id + " offline");
        Checks.nonNegative(offlineAfter, "door " + id + " offlineAfter");
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
