package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.protocol.model.DenyReason;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the overview page shows for the sites an operator may see, read in one transaction:
 *
 * <ul>
 *   <li>people on site now: distinct members let in within the dwell time (these sites have no exit
 *       readers, so leaving is not recorded; the page says so);
 *   <li>doors by state: offline when no device of the site is online, else forced or held open when
 *       the door's last condition says so and nothing restored it, unlocked within its unlock time
 *       after a grant, otherwise locked;
 *   <li>devices online and offline (a device's last state is its last will when its process died);
 *   <li>denials since midnight in the site's zone, by reason.
 * </ul>
 */
public record Overview(Database database, Clock clock, Duration dwell) {
    // The overview's statements, public so that the console benchmark runs the same SQL bare.
    public static final String PEOPLE_SQL =
            "SELECT COUNT(DISTINCT member_id) FROM access_events WHERE tenant_id = ? AND site_id = ?"
                    + " AND at >= ? AND granted = ? AND member_id IS NOT NULL";

    public static final String DEVICES_SQL =
            "SELECT health FROM devices WHERE tenant_id = ? AND site_id = ? AND status <> 'retired'";

    public static final String DENIALS_SQL =
            "SELECT reason, COUNT(*) FROM access_events WHERE tenant_id = ? AND site_id = ? AND at >= ?"
                    + " AND granted = ? AND reason IS NOT NULL GROUP BY reason";

    public static final String DOORS_SQL =
            "SELECT id, name, unlock_seconds FROM doors WHERE tenant_id = ? AND site_id = ? ORDER BY name, id";

    public static final String CONDITIONS_SQL =
            "SELECT e.door_id, e.kind, e.at FROM door_events e WHERE e.tenant_id = ? AND e.site_id = ?"
                    + " AND e.kind IN ('FORCED_OPEN', 'HELD_OPEN', 'RESTORED') AND e.at = (SELECT MAX(l.at)"
                    + " FROM door_events l WHERE l.tenant_id = e.tenant_id AND l.door_id = e.door_id"
                    + " AND l.kind IN ('FORCED_OPEN', 'HELD_OPEN', 'RESTORED'))";

    public static final String LAST_GRANT_SQL =
            "SELECT at FROM access_events WHERE tenant_id = ? AND door_id = ? AND granted = ?"
                    + " ORDER BY at DESC, id DESC LIMIT 1";

    public record SiteSummary(
            String id,
            String name,
            ZoneId zone,
            long peopleOnSite,
            int devicesOnline,
            int devicesTotal,
            List<DoorState> doors,
            Map<DenyReason, Long> denialsToday) {
        public long denialsTotal() {
            return denialsToday.values().stream().mapToLong(Long::longValue).sum();
        }

        public long doorsIn(DoorState.State state) {
            return doors.stream().filter(door -> door.state() == state).count();
        }
    }

    /** A door and its state as the hub last heard it. */
    public record DoorState(String id, String siteId, String name, State state, Optional<Instant> since) {
        public enum State {
            LOCKED,
            UNLOCKED,
            HELD_OPEN,
            FORCED,
            OFFLINE
        }
    }

    public List<SiteSummary> sites(String tenantId, Access access) {
        long now = clock.millis();
        return database.read(c -> {
            List<SiteSummary> sites = new ArrayList<>();
            for (Site site : sites(c, tenantId, access)) {
                sites.add(summary(c, tenantId, site, now));
            }
            return sites;
        });
    }

    private record Site(String id, String name, ZoneId zone) {}

    private static List<Site> sites(Connection c, String tenantId, Access access) throws SQLException {
        return Sql.list(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        row -> new Site(row.getString(1), row.getString(2), ZoneId.of(row.getString(3))),
                        tenantId)
                .stream()
                .filter(site -> access.covers(site.id()))
                .toList();
    }

    private SiteSummary summary(Connection c, String tenantId, Site site, long now) throws SQLException {
        long people = Sql.one(c, PEOPLE_SQL, Sql.LONG, tenantId, site.id(), now - dwell.toMillis(), true)
                .orElse(0L);
        List<Boolean> devices = Sql.list(
                c,
                DEVICES_SQL,
                row -> row.getString(1) != null && !"OFFLINE".equals(row.getString(1)),
                tenantId,
                site.id());
        int online = (int) devices.stream().filter(b -> b).count();
        long midnight = LocalDate.ofInstant(Instant.ofEpochMilli(now), site.zone())
                .atStartOfDay(site.zone())
                .toInstant()
                .toEpochMilli();
        Map<DenyReason, Long> denials = new EnumMap<>(DenyReason.class);
        for (var entry : Sql.list(
                c,
                DENIALS_SQL,
                r -> Map.entry(DenyReason.valueOf(r.getString(1)), r.getLong(2)),
                tenantId,
                site.id(),
                midnight,
                false)) {
            denials.put(entry.getKey(), entry.getValue());
        }
        return new SiteSummary(
                site.id(),
                site.name(),
                site.zone(),
                people,
                online,
                devices.size(),
                doors(c, tenantId, site, now, online > 0),
                denials);
    }

    private static List<DoorState> doors(Connection c, String tenantId, Site site, long now, boolean online)
            throws SQLException {
        record Door(String id, String name, long unlockMillis) {}
        List<Door> doors = Sql.list(
                c,
                DOORS_SQL,
                row -> new Door(row.getString(1), row.getString(2), row.getLong(3) * 1000),
                tenantId,
                site.id());
        // The last reported condition of each door: forced, held open, or restored since.
        record Condition(String kind, long at) {}
        Map<String, Condition> conditions = new HashMap<>();
        for (var entry : Sql.list(
                c,
                CONDITIONS_SQL,
                r -> Map.entry(r.getString(1), new Condition(r.getString(2), r.getLong(3))),
                tenantId,
                site.id())) {
            conditions.put(entry.getKey(), entry.getValue());
        }
        List<DoorState> states = new ArrayList<>();
        for (Door door : doors) {
            Condition condition = conditions.get(door.id());
            Optional<Long> lastGrant = Sql.one(c, LAST_GRANT_SQL, Sql.LONG, tenantId, door.id(), true);
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
            states.add(new DoorState(door.id(), site.id(), door.name(), state, since));
        }
        return states;
    }
}
