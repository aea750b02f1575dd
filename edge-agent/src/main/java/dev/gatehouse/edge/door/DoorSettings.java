package dev.gatehouse.edge.door;

import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.TimeWindow;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * How one door is wired and behaves.
 *
 * @param id the door
 * @param lockType what the lock does unpowered, which decides the relay level for locked
 * @param unlockPulse how long a grant or a request-to-exit unlocks the door
 * @param heldOpenAfter how long after an unlock starts the door may stand open before a held-open alarm
 * @param unlockWindows scheduled unlock (office hours), wall-clock windows in {@code zone}; empty for none
 * @param zone the site's time zone
 * @param rexUnlocks whether the request-to-exit button unlocks the door for {@code unlockPulse}; when
 *     {@code false} (doors with mechanical free egress) it only tells the controller that the door
 *     opening next is an exit, not a forced entry
 */
public record DoorSettings(
        DoorId id,
        LockType lockType,
        Duration unlockPulse,
        Duration heldOpenAfter,
        List<TimeWindow> unlockWindows,
        ZoneId zone,
        boolean rexUnlocks) {
    public DoorSettings {
        present(id, "door id");
        present(lockType, "door " + id + ": lock type");
        positive(present(unlockPulse, "door " + id + ": unlock pulse"), "door " + id + ": unlock pulse");
        positive(
                present(heldOpenAfter, "door " + id + ": held-open threshold"), "door " + id + ": held-open threshold");
        unlockWindows = List.copyOf(present(unlockWindows, "door " + id + ": unlock windows"));
        present(zone, "door " + id + ": time zone");
    }

    private static <T> T present(T value, String what) {
        if (value == null) {
            throw new DoorException(DoorError.BAD_ARGUMENT, what + " is missing");
        }
        return value;
    }

    private static void positive(Duration value, String what) {
        if (value.isNegative() || value.isZero()) {
            throw new DoorException(DoorError.BAD_ARGUMENT, what + " must be positive, was " + value);
        }
    }
}
