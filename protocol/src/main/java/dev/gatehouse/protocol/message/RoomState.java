package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One meeting room's A/V as its edge drives it, in a {@link DeviceState}: the doors that lead into
 * it (by them a hub finds the room's bookable resource when the room's id is not the resource's),
 * where the room is in its day, the booking it serves, whether someone is in it, each function's last confirmed value, the
 * functions still waiting for a confirmation, those a person overrode, and the faults. Functions are
 * named by their config key ({@code display-power}, {@code lights-level} …); values are text
 * ({@code on}/{@code off}, a number, an input's name, a join link).
 */
public record RoomState(
        String room,
        Set<String> doors,
        Mode mode,
        Optional<String> booking,
        Presence presence,
        Map<String, String> values,
        Set<String> pending,
        Set<String> overridden,
        Map<String, String> faults) {
    /** The most functions a room reports in each of its maps and sets. */
    public static final int MAX_FUNCTIONS = 8;
    /** The most doors a room lists. */
    public static final int MAX_DOORS = 16;
    /** The longest value reported (a join link's length). */
    public static final int MAX_VALUE = 500;
    /** The longest fault reported. */
    public static final int MAX_FAULT = 200;

    private static final Pattern FUNCTION = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** Where a room is in its day. */
    public enum Mode {
        /** The edge has not put the room in a state yet. */
        STARTING,
        /** Nothing booked soon: display off, standby lights. */
        STANDBY,
        /** A booking's warm-up or the booking itself: its scene. */
        IN_USE,
        /** Between two bookings close together: the scene stays, without a join link. */
        BETWEEN
    }

    /** What the room's presence sensor says; {@code UNKNOWN} when it has none or it did not answer. */
    public enum Presence {
        OCCUPIED,
        FREE,
        UNKNOWN
    }

    public RoomState {
        Ids.require(room, "room state room");
        doors = Set.copyOf(Checks.present(doors, "room state doors"));
        if (doors.size() > MAX_DOORS) {
            throw Checks.bad("room " + room + " lists " + doors.size() + " doors; the limit is " + MAX_DOORS);
        }
        doors.forEach(door -> Ids.require(door, "room " + room + " door"));
        Checks.present(mode, "room state mode");
        Checks.present(booking, "room state booking").ifPresent(id -> Ids.require(id, "room state booking"));
        Checks.present(presence, "room state presence");
        values = Map.copyOf(Checks.present(values, "room state values"));
        pending = Set.copyOf(Checks.present(pending, "room state pending"));
        overridden = Set.copyOf(Checks.present(overridden, "room state overridden"));
        faults = Map.copyOf(Checks.present(faults, "room state faults"));
        functions(values.keySet(), room, "values");
        values.forEach((function, value) -> Checks.text(value, MAX_VALUE, "room " + room + " value of " + function));
        functions(pending, room, "pending");
        functions(overridden, room, "overridden");
        functions(faults.keySet(), room, "faults");
        faults.forEach((function, fault) -> Checks.text(fault, MAX_FAULT, "room " + room + " fault of " + function));
    }

    private static void functions(Set<String> functions, String room, String what) {
        if (functions.size() > MAX_FUNCTIONS) {
            throw Checks.bad("room " + room + " lists " + functions.size() + " functions in " + what + "; the limit is "
                    + MAX_FUNCTIONS);
        }
        for (String function : functions) {
            if (!FUNCTION.matcher(function).matches()) {
                throw Checks.bad("room " + room + " " + what + " names the function '" + Ids.printable(function)
                        + "'; a function is 1-32 characters of a-z 0-9 -, starting with a letter");
            }
        }
    }
}
