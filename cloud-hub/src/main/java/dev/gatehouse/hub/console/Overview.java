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
import java.util.List;
import java.util.Map;

/**
 * What the overview page shows for the sites an operator may see, read in one transaction:
 *
 * <ul>
 *   <li>people on site now: distinct members let in within the dwell time (these sites have no exit
 *       readers, so leaving is not recorded; the page says so);
 *   <li>doors by state, as {@link DoorStates} works them out;
 *   <li>devices online and offline (a device's last state is its last will when its process died);
 *   <li>denials since midnight in the site's zone, by reason.
 * </ul>
 */
public record Overview(Database database, Clock clock, Duration dwell) {
    // The overview's statements, public so that the console benchmark runs the same SQL bare.
    public static final String PEOPLE_SQL =
            "SELECT COUNT(DISTINCT member_id) FROM access_events WHERE tenant_id = ? AND site_id = ?"
                    + " AND at >= ? AND at <= ? AND granted = ? AND member_id IS NOT NULL";

    public static final String DEVICES_SQL =
            "SELECT health FROM devices WHERE tenant_id = ? AND site_id = ? AND status <> 'retired'";

    public static final String DENIALS_SQL =
            "SELECT reason, COUNT(*) FROM access_events WHERE tenant_id = ? AND site_id = ? AND at >= ?"
                    + " AND at <= ? AND granted = ? AND reason IS NOT NULL GROUP BY reason";

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
        // Events stamped after now (an edge whose clock runs ahead) do not count as on site or as today's.
        long people = Sql.one(c, PEOPLE_SQL, Sql.LONG, tenantId, site.id(), now - dwell.toMillis(), now, true)
                .orElse(0L);
        DoorStates.Devices devices = DoorStates.devices(c, tenantId, site.id());
        int online = devices.online();
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
                now,
                false)) {
            denials.put(entry.getKey(), entry.getValue());
        }
        return new SiteSummary(
                site.id(),
                site.name(),
                site.zone(),
                people,
                online,
                devices.total(),
                DoorStates.of(c, tenantId, site.id(), now, online > 0),
                denials);
    }
}
