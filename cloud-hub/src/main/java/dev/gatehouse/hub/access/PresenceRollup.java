package dev.gatehouse.hub.access;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Hourly presence per site, kept beside the access log (V50, issue 17): for each UTC hour of a site,
 * how many distinct members were present at any moment of it (a granted member entry makes its member
 * present for the dwell time from its {@code at}) and the latest {@code received_at} of the entries
 * that cover it. Physical occupancy's rule, materialised so that a month's heatmap reads 720 rows
 * instead of every entry.
 *
 * <p>Maintained incrementally in the ingest's own transaction ({@link #add}): the rows of the hours a
 * new entry covers are upserted first (which locks them, so that two transactions adding entries of
 * one member to one hour queue up), then the member's other entries around it are read and only the
 * hours no other entry of theirs covers count one more person. A resend is no new row and adds
 * nothing; a late (out-of-order) entry adds to the hours it covers, whenever it arrives.
 *
 * <p>As-of answers stay exact: an hour's row is the as-of answer for every as-of instant at or after
 * both the hour's end and its {@code received_max}; the analytics compute any other hour from the
 * rows ({@code dev.gatehouse.hub.analytics.Analytics}). {@link #recompute} is the full recompute the
 * incremental state must equal (tested). The dwell the rows were made with is stored
 * ({@code analytics_presence_dwell}); a hub started with another dwell rebuilds them ({@link #prepare}).
 * Retention ({@link #forget}) deletes entries, so the hours those could have covered are given up:
 * the analytics compute them from what is left.
 */
public final class PresenceRollup {
    static final long HOUR = 3_600_000L;

    private PresenceRollup() {}

    /** One hour of a site: distinct members present and the latest receipt of the entries covering it. */
    public record Hour(int people, long receivedMax) {}

    /** The dwell the rows were made with, if they have been made. */
    public static Optional<Duration> dwell(Connection c) throws SQLException {
        return Sql.one(c, "SELECT dwell_ms FROM analytics_presence_dwell WHERE id = 1", Sql.LONG)
                .map(Duration::ofMillis);
    }

    /** The first hour kept for the tenant (hours before it were given up to retention), or 0. */
    public static long from(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT from_hour FROM analytics_presence_from WHERE tenant_id = ?", Sql.LONG, tenantId)
                .orElse(0L);
    }

    /** The stored hours of a site in [from, to) (epoch ms), by hour. */
    public static Map<Long, Hour> hours(Connection c, String tenantId, String siteId, long from, long to)
            throws SQLException {
        Map<Long, Hour> hours = new HashMap<>();
        try (PreparedStatement read = c.prepareStatement("SELECT hour, people, received_max FROM analytics_presence"
                + " WHERE tenant_id = ? AND site_id = ? AND hour >= ? AND hour < ?")) {
            read.setString(1, tenantId);
            read.setString(2, siteId);
            read.setLong(3, from);
            read.setLong(4, to);
            try (ResultSet r = read.executeQuery()) {
                while (r.next()) {
                    hours.put(r.getLong(1), new Hour(r.getInt(2), r.getLong(3)));
                }
            }
        }
        return hours;
    }

    /** Makes the rows with {@code dwell} unless they already are: at the hub's start. */
    public static void prepare(Database database, Duration dwell) {
        database.write(c -> {
            if (dwell(c).filter(dwell::equals).isEmpty()) {
                List<String> tenants = Sql.list(c, "SELECT id FROM tenants", r -> r.getString(1));
                Sql.update(c, "DELETE FROM analytics_presence_dwell");
                Sql.update(c, "INSERT INTO analytics_presence_dwell (id, dwell_ms) VALUES (1, ?)", dwell.toMillis());
                for (String tenant : tenants) {
                    rebuild(c, tenant, dwell);
                }
            }
            return null;
        });
    }

    /** The tenant's rows made again from the access log (after a bulk load). */
    static void rebuild(Connection c, String tenantId) throws SQLException {
        Optional<Duration> dwell = dwell(c);
        if (dwell.isPresent()) {
            rebuild(c, tenantId, dwell.get());
        }
    }

    private static void rebuild(Connection c, String tenantId, Duration dwell) throws SQLException {
        Sql.update(c, "DELETE FROM analytics_presence WHERE tenant_id = ?", tenantId);
        long from = from(c, tenantId);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO analytics_presence (tenant_id, site_id, hour,"
                + " people, received_max) VALUES (?, ?, ?, ?, ?)")) {
            int batched = 0;
            for (Map.Entry<String, TreeMap<Long, Hour>> site :
                    recompute(c, tenantId, dwell).entrySet()) {
                for (Map.Entry<Long, Hour> hour : site.getValue().entrySet()) {
                    if (hour.getKey() < from) {
                        continue;
                    }
                    insert.setString(1, tenantId);
                    insert.setString(2, site.getKey());
                    insert.setLong(3, hour.getKey());
                    insert.setInt(4, hour.getValue().people());
                    insert.setLong(5, hour.getValue().receivedMax());
                    insert.addBatch();
                    if (++batched % 1_000 == 0) {
                        insert.executeBatch();
                    }
                }
            }
            insert.executeBatch();
        }
    }

    /**
     * The full recompute: every site's hours from all the tenant's granted member entries, read in
     * (site, member, at) order so that each member's covered hours are counted once.
     */
    public static Map<String, TreeMap<Long, Hour>> recompute(Connection c, String tenantId, Duration dwell)
            throws SQLException {
        Map<String, TreeMap<Long, long[]>> sums = new TreeMap<>();
        try (PreparedStatement read = c.prepareStatement("SELECT site_id, member_id, at, received_at FROM access_events"
                + " WHERE tenant_id = ? AND granted = ? AND member_id IS NOT NULL ORDER BY site_id, member_id, at")) {
            read.setFetchSize(10_000);
            read.setString(1, tenantId);
            read.setBoolean(2, true);
            try (ResultSet r = read.executeQuery()) {
                String site = null;
                String member = null;
                long last = Long.MIN_VALUE;
                while (r.next()) {
                    if (!r.getString(1).equals(site) || !r.getString(2).equals(member)) {
                        site = r.getString(1);
                        member = r.getString(2);
                        last = Long.MIN_VALUE;
                    }
                    long at = r.getLong(3);
                    long received = r.getLong(4);
                    TreeMap<Long, long[]> hours = sums.computeIfAbsent(site, k -> new TreeMap<>());
                    for (long h = first(at); h <= lastHour(at, dwell); h += HOUR) {
                        long[] sum = hours.computeIfAbsent(h, k -> new long[2]);
                        if (h > last) {
                            // Entries come in time order: an hour after the member's last counted one is new.
                            sum[0]++;
                            last = h;
                        }
                        sum[1] = Math.max(sum[1], received);
                    }
                }
            }
        }
        Map<String, TreeMap<Long, Hour>> out = new TreeMap<>();
        sums.forEach((site, hours) -> {
            TreeMap<Long, Hour> rows = new TreeMap<>();
            hours.forEach((h, sum) -> rows.put(h, new Hour((int) sum[0], sum[1])));
            out.put(site, rows);
        });
        return out;
    }

    /** The tenant's stored rows, as {@link #recompute} answers them (for the test that they agree). */
    public static Map<String, TreeMap<Long, Hour>> stored(Connection c, String tenantId) throws SQLException {
        Map<String, TreeMap<Long, Hour>> out = new TreeMap<>();
        try (PreparedStatement read = c.prepareStatement("SELECT site_id, hour, people, received_max FROM"
                + " analytics_presence WHERE tenant_id = ? AND (people > 0 OR received_max > 0)")) {
            read.setString(1, tenantId);
            try (ResultSet r = read.executeQuery()) {
                while (r.next()) {
                    out.computeIfAbsent(r.getString(1), k -> new TreeMap<>())
                            .put(r.getLong(2), new Hour(r.getInt(3), r.getLong(4)));
                }
            }
        }
        return out;
    }

    private static long first(long at) {
        return Math.floorDiv(at, HOUR) * HOUR;
    }

    private static long lastHour(long at, Duration dwell) {
        return Math.floorDiv(at + dwell.toMillis() - 1, HOUR) * HOUR;
    }

    /**
     * Adds one new granted entry of a member, in the transaction that stored it (after its INSERT, before
     * the next one's). Does nothing until the rows have been made ({@link #prepare}).
     */
    static void add(
            Connection c,
            Duration dwell,
            String tenantId,
            String siteId,
            String memberId,
            String deviceId,
            String id,
            long at,
            long received)
            throws SQLException {
        long firstHour = first(at);
        long lastHour = lastHour(at, dwell);
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO analytics_presence (tenant_id, site_id, hour,"
                + " people, received_max) VALUES (?, ?, ?, 0, ?) ON CONFLICT (tenant_id, site_id, hour) DO UPDATE SET"
                + " received_max = CASE WHEN analytics_presence.received_max < excluded.received_max"
                + " THEN excluded.received_max ELSE analytics_presence.received_max END")) {
            for (long h = firstHour; h <= lastHour; h += HOUR) {
                upsert.setString(1, tenantId);
                upsert.setString(2, siteId);
                upsert.setLong(3, h);
                upsert.setLong(4, received);
                upsert.executeUpdate();
            }
        }
        // The member's other entries at the site that cover any of these hours.
        List<Long> others = new ArrayList<>();
        try (PreparedStatement read = c.prepareStatement(
                "SELECT at FROM access_events WHERE tenant_id = ? AND member_id"
                        + " = ? AND at > ? AND at < ? AND site_id = ? AND granted = ? AND NOT (device_id = ? AND id = ?)")) {
            read.setString(1, tenantId);
            read.setString(2, memberId);
            read.setLong(3, firstHour - dwell.toMillis());
            read.setLong(4, lastHour + HOUR);
            read.setString(5, siteId);
            read.setBoolean(6, true);
            read.setString(7, deviceId);
            read.setString(8, id);
            try (ResultSet r = read.executeQuery()) {
                while (r.next()) {
                    others.add(r.getLong(1));
                }
            }
        }
        try (PreparedStatement count = c.prepareStatement("UPDATE analytics_presence SET people = people + 1"
                + " WHERE tenant_id = ? AND site_id = ? AND hour = ?")) {
            for (long h = firstHour; h <= lastHour; h += HOUR) {
                long hour = h;
                boolean counted = others.stream().anyMatch(o -> first(o) <= hour && lastHour(o, dwell) >= hour);
                if (!counted) {
                    count.setString(1, tenantId);
                    count.setString(2, siteId);
                    count.setLong(3, h);
                    count.executeUpdate();
                }
            }
        }
    }

    /**
     * Retention deleted the tenant's entries before {@code cutoff}: the hours those could cover (up to a
     * day after it, the longest dwell) are given up, in the deleting transaction.
     */
    public static void forget(Connection c, String tenantId, long cutoff) throws SQLException {
        long from = first(cutoff + Duration.ofHours(24).toMillis()) + HOUR;
        if (from <= from(c, tenantId)) {
            return;
        }
        Sql.update(c, "DELETE FROM analytics_presence_from WHERE tenant_id = ?", tenantId);
        Sql.update(c, "INSERT INTO analytics_presence_from (tenant_id, from_hour) VALUES (?, ?)", tenantId, from);
        Sql.update(c, "DELETE FROM analytics_presence WHERE tenant_id = ? AND hour < ?", tenantId, from);
    }
}
