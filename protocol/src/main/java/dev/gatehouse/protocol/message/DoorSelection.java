package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.DoorId;
import java.util.Set;

/**
 * The doors a site-wide command applies to: every door of the site ({@code allDoors}), or the listed
 * ones. "All" is said explicitly, never implied by an empty list, so that a door list that filtered
 * down to nothing cannot turn a targeted lockdown or release into a site-wide one.
 */
public record DoorSelection(boolean allDoors, Set<DoorId> doors) {
    public DoorSelection {
        doors = Set.copyOf(Checks.present(doors, "doors"));
        if (allDoors && !doors.isEmpty()) {
            throw Checks.bad("allDoors is true, so doors must be empty (it lists " + doors.size() + ")");
        }
        if (!allDoors && doors.isEmpty()) {
            throw Checks.bad("doors is empty: list the doors, or set allDoors to true for every door of the site");
        }
    }

    public static DoorSelection all() {
        return new DoorSelection(true, Set.of());
    }

    public static DoorSelection of(DoorId... doors) {
        return new DoorSelection(false, Set.of(doors));
    }

    public boolean contains(DoorId door) {
        return allDoors || doors.contains(door);
    }
}
