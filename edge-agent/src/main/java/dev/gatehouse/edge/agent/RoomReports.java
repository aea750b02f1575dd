package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.av.AvValue;
import dev.gatehouse.edge.av.RoomAvStatus;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.message.RoomState;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A room's A/V status as {@code device.state} reports it: function keys, values as text, bounded texts. */
final class RoomReports {
    private RoomReports() {}

    /**
     * The room's report with the doors that lead into it ({@code doors}, from the config), or empty
     * when its id cannot go on the wire (the config loader forbids that).
     */
    static Optional<RoomState> of(RoomAvStatus status, java.util.Collection<String> doors) {
        if (!Ids.isValid(status.room())) {
            return Optional.empty();
        }
        Map<String, String> values = new TreeMap<>();
        status.confirmed()
                .forEach((function, value) -> values.put(function.key(), clip(text(value), RoomState.MAX_VALUE)));
        Map<String, String> faults = new TreeMap<>();
        status.faults().forEach((function, fault) -> faults.put(function.key(), clip(fault, RoomState.MAX_FAULT)));
        return Optional.of(new RoomState(
                status.room(),
                doors.stream()
                        .filter(Ids::isValid)
                        .limit(RoomState.MAX_DOORS)
                        .collect(java.util.stream.Collectors.toSet()),
                status.mode(),
                status.bookingId().filter(Ids::isValid),
                status.occupied()
                        .map(in -> in ? RoomState.Presence.OCCUPIED : RoomState.Presence.FREE)
                        .orElse(RoomState.Presence.UNKNOWN),
                values,
                keys(status.unconfirmed()),
                keys(status.overridden()),
                faults));
    }

    private static Set<String> keys(Set<RoomFunction> functions) {
        Set<String> keys = new TreeSet<>();
        functions.forEach(function -> keys.add(function.key()));
        return keys;
    }

    /** A value as text: {@code on}/{@code off}, a number, or the text itself. */
    static String text(AvValue value) {
        return switch (value) {
            case AvValue.Switch on -> on.describe();
            case AvValue.Numeric number -> number.describe();
            case AvValue.Text text -> text.text();
        };
    }

    private static String clip(String text, int max) {
        String value = text.replaceAll("\\p{Cntrl}", " ");
        return value.length() > max ? value.substring(0, max - 3) + "..." : value;
    }
}
