package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live state of a site's doors, from what the edges reported: offline when no active device of
 * the site is online (a device's last state is its last will when its process died), else forced or
 * held open when the door's last condition says so and nothing restored it, unlocked within its
 * unlock time after a grant, otherwise locked. One place, so every page shows the same state.
 */
final class DoorStates {
    private DoorStates() {}

    /** How many of the site's active devices are online, and how many there are. */
    record Devices(int online, int total) {}

    static Devices devices(Connection c, String tenantId, String siteId) throws SQLException {
        List<Boolean> devices = Sql.list(
                c,
                Overview.DEVICES_SQL,
                row -> row.getString(1) != null && !"OFFLINE".equals(row.getString(1)),
                tenantId,
                siteId);
        return new Devices((int) devices.stream().filter(b -> b).count(), devices.size());
    }

    /** The site's doors by name with their state at {@code now}. */
    static List<DoorState> of(Connection c, String tenantId, String siteId, long now, boolean online)
            throws SQLException {
        record Door(String id, String name, long unlockMillis) {}
        List<Door> doors = Sql.list(
                c,
                Overview.DOORS_SQL,
                row -> new Door(row.getString(1), row.getString(2), row.getLong(3) * 1000),
                tenantId,
                siteId);
        // The last reported condition of each door: forced, held open, or restored since.
        record Condition(String kind, long at) {}
        Map<String, Condition> conditions = new HashMap<>();
        for (var entry : Sql.list(
                c,
                Overview.CONDITIONS_SQL,
                r -> Map.entry(r.getString(1), new Condition(r.getString(2), r.getLong(3))),
                tenantId,
                siteId)) {
            conditions.put(entry.getKey(), entry.getValue());
        }
        List<DoorState> states = new ArrayList<>();
        for (Door door : doors) {
            Condition condition = conditions.get(door.id());
            Optional<Long> lastGrant = Sql.one(c, Overview.LAST_GRANT_SQL, Sql.LONG, tenantId, door.id(), true);
            DoorState.State state;
            Optional<Instant> since = Optional.empty();
            if (!online) {
                state = DoorState.State.OFFLINE;
            } else if (condition != null && !condition.kind().equals("RESTORED")) {
                state = condition.kind().equals("FORCED_OPEN") ? DoorState.State.FORCED : DoorState.State.HELD_OPEN;
                since = Optional.of(Instant.ofEpochMilli(condition.at()));
            } else if (lastGrant.isPresent() && now - lastGrant.get() < door.unlockMillis()) {
                state = DoorState.State.UNLOCKED;
                since = lastGrant.map(Instant::ofEpochMilli);
            } else {
                state = DoorState.State.LOCKED;
            }
            states.add(new DoorState(door.id(), siteId, door.name(), state, since));
        }
        return states;
    }
}
