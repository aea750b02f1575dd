package dev.gatehouse.hub.alerts;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fleet alerts (tables {@code alerts} and {@code alert_settings}, V12): what is wrong now, worked out
 * from what the edges reported, and opened or cleared so that the table holds one open alert per
 * condition.
 *
 * <p>Device conditions are read from every active device's last {@code device.state} at each
 * evaluation: offline (its last will), problems (reader faults and the like), clock not trusted, cache
 * more than the tenant's threshold behind its site. Door conditions come from door events: the doors
 * whose events arrived since the last evaluation are looked at, and their latest condition (forced
 * open, held open, restored) decides.
 */
public record AlertStore(Database database, Clock clock) {
    /** The default of {@code alert_settings.cache_behind}: changes a device's cache may lag its site. */
    public static final long DEFAULT_CACHE_BEHIND = 100;

    private static final String COLUMNS = "a.id, a.site_id, s.name, s.time_zone, a.kind, a.subject_type, a.subject_id,"
            + " a.subject_name, a.detail, a.opened_at, a.cleared_at, a.tenant_id";

    /** One alert as pages, the API and mails show it. */
    public record Alert(
            String id,
            String siteId,
            String siteName,
            String zone,
            AlertKind kind,
            String subjectType,
            String subjectId,
            String subjectName,
            String detail,
            Instant openedAt,
            Optional<Instant> clearedAt,
            String tenantId) {
        public boolean open() {
            return clearedAt.isEmpty();
        }
    }

    /** A condition that holds now. */
    record Condition(
            String tenantId, String siteId, AlertKind kind, String subjectId, String subjectName, String detail) {
        String key() {
            return tenantId + "|" + kind + "|" + subjectId;
        }
    }

    /** What an evaluation changed: the alerts it opened and cleared (ids). */
    public record Changes(List<String> opened, List<String> cleared) {
        public boolean any() {
            return !opened.isEmpty() || !cleared.isEmpty();
        }
    }

    /**
     * Opens what holds and is not open, clears what is open and no longer holds. Device alerts are
     * judged on every active device; door alerts on the doors with a door event received at or after
     * {@code doorsSince} (epoch millis; events received before were judged by an earlier evaluation).
     */
    public Changes evaluate(long doorsSince) {
        long now = clock.millis();
        return database.write(c -> {
            List<Condition> holding = new ArrayList<>(deviceConditions(c));
            Set<String> doorsJudged = new HashSet<>();
            holding.addAll(doorConditions(c, doorsSince, doorsJudged));
            holding.addAll(poolConditions(c, now));
            Map<String, Condition> wanted = new HashMap<>();
            holding.forEach(condition -> wanted.put(condition.key(), condition));
            record Open(String id, String tenantId, AlertKind kind, String subjectType, String subjectId) {
                String key() {
                    return tenantId + "|" + kind + "|" + subjectId;
                }
            }
            List<Open> open = Sql.list(
                    c,
                    "SELECT id, tenant_id, kind, subject_type, subject_id FROM alerts WHERE cleared_at IS NULL",
                    r -> new Open(
                            r.getString(1),
                            r.getString(2),
                            AlertKind.valueOf(r.getString(3)),
                            r.getString(4),
                            r.getString(5)));
            List<String> cleared = new ArrayList<>();
            Set<String> openKeys = new HashSet<>();
            for (Open alert : open) {
                openKeys.add(alert.key());
                // A door alert is judged only when its door had news; a device alert at every evaluation.
                boolean judged = alert.kind().device()
                        || alert.kind() == AlertKind.WIFI_POOL_LOW
                        || doorsJudged.contains(alert.tenantId() + "|" + alert.subjectId());
                if (judged && !wanted.containsKey(alert.key())) {
                    Sql.update(
                            c, "UPDATE alerts SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL", now, alert.id());
                    cleared.add(alert.id());
                }
            }
            List<String> opened = new ArrayList<>();
            for (Condition condition : wanted.values()) {
                if (openKeys.contains(condition.key())) {
                    continue;
                }
                String id = HubIds.next("alr");
                Sql.update(
                        c,
                        "INSERT INTO alerts (id, tenant_id, site_id, kind, subject_type, subject_id, subject_name, detail,"
                                + " opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        id,
                        condition.tenantId(),
                        condition.siteId(),
                        condition.kind().name(),
                        condition.kind().subjectType(),
                        condition.subjectId(),
                        condition.subjectName(),
                        condition.detail(),
                        now);
                opened.add(id);
            }
            return new Changes(opened, cleared);
        });
    }

    private List<Condition> deviceConditions(Connection c) throws SQLException {
        record Row(
                String tenantId,
                String siteId,
                String id,
                String name,
                String health,
                String clock,
                Long acked,
                String problems,
                long head,
                long threshold) {}
        List<Row> rows = Sql.list(
                c,
                "SELECT d.tenant_id, d.site_id, d.id, d.name, d.health, d.clock, d.acked_seq, d.problems, s.change_seq,"
                        + " COALESCE(t.cache_behind, ?) FROM devices d JOIN sites s ON s.id = d.site_id"
                        + " LEFT JOIN alert_settings t ON t.tenant_id = d.tenant_id"
                        + " WHERE d.status = 'active' AND d.health IS NOT NULL",
                r -> {
                    long acked = r.getLong(7);
                    Long ackedSeq = r.wasNull() ? null : acked;
                    return new Row(
                            r.getString(1),
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            r.getString(5),
                            r.getString(6),
                            ackedSeq,
                            r.getString(8),
                            r.getLong(9),
                            r.getLong(10));
                },
                DEFAULT_CACHE_BEHIND);
        List<Condition> out = new ArrayList<>();
        for (Row row : rows) {
            if (row.health().equals("OFFLINE")) {
                out.add(new Condition(
                        row.tenantId(),
                        row.siteId(),
                        AlertKind.DEVICE_OFFLINE,
                        row.id(),
                        row.name(),
                        "the device's connection to the hub ended"));
                continue; // what an offline device last said is stale
            }
            List<String> problems = problems(row.problems());
            if (!problems.isEmpty()) {
                out.add(new Condition(
                        row.tenantId(),
                        row.siteId(),
                        AlertKind.DEVICE_PROBLEM,
                        row.id(),
                        row.name(),
                        String.join("; ", problems)));
            }
            if (row.clock() != null && !row.clock().equals("TRUSTED")) {
                out.add(new Condition(
                        row.tenantId(),
                        row.siteId(),
                        AlertKind.CLOCK_UNTRUSTED,
                        row.id(),
                        row.name(),
                        "the device's clock is " + row.clock().toLowerCase(java.util.Locale.ROOT)
                                + ": time-bound grants and office hours follow the untrusted-clock policy"));
            }
            if (row.acked() != null && row.head() - row.acked() > row.threshold()) {
                out.add(new Condition(
                        row.tenantId(),
                        row.siteId(),
                        AlertKind.CACHE_BEHIND,
                        row.id(),
                        row.name(),
                        "its cache is at change " + row.acked() + " of " + row.head() + " ("
                                + (row.head() - row.acked()) + " behind; the threshold is " + row.threshold() + ")"));
            }
        }
        return out;
    }

    private List<Condition> doorConditions(Connection c, long since, Set<String> judged) throws SQLException {
        record Touched(String tenantId, String siteId, String doorId, String name) {}
        List<Touched> doors = Sql.list(
                c,
                "SELECT DISTINCT e.tenant_id, e.site_id, e.door_id, d.name FROM door_events e"
                        + " JOIN doors d ON d.id = e.door_id AND d.tenant_id = e.tenant_id"
                        + " WHERE e.received_at >= ? AND e.kind IN ('FORCED_OPEN', 'HELD_OPEN', 'RESTORED')",
                r -> new Touched(r.getString(1), r.getString(2), r.getString(3), r.getString(4)),
                since);
        List<Condition> out = new ArrayList<>();
        for (Touched door : doors) {
            judged.add(door.tenantId() + "|" + door.doorId());
            Optional<String> latest = Sql.one(
                    c,
                    "SELECT kind FROM door_events WHERE tenant_id = ? AND door_id = ?"
                            + " AND kind IN ('FORCED_OPEN', 'HELD_OPEN', 'RESTORED') ORDER BY at DESC, received_at DESC"
                            + " LIMIT 1",
                    Sql.STRING,
                    door.tenantId(),
                    door.doorId());
            if (latest.isPresent() && latest.get().equals("FORCED_OPEN")) {
                out.add(new Condition(
                        door.tenantId(),
                        door.siteId(),
                        AlertKind.DOOR_FORCED_OPEN,
                        door.doorId(),
                        door.name(),
                        "the door opened without a grant"));
            } else if (latest.isPresent() && latest.get().equals("HELD_OPEN")) {
                out.add(new Condition(
                        door.tenantId(),
                        door.siteId(),
                        AlertKind.DOOR_HELD_OPEN,
                        door.doorId(),
                        door.name(),
                        "the door stays open past its held-open time"));
            }
        }
        return out;
    }

    /** Sites whose Wi-Fi voucher pool has fewer codes left than its threshold (only sites that have a pool). */
    private List<Condition> poolConditions(Connection c, long now) throws SQLException {
        return Sql.list(
                        c,
                        "SELECT s.tenant_id, s.id, s.name, COALESCE(p.low_threshold, ?), (SELECT count(*) FROM wifi_vouchers v"
                                + " WHERE v.site_id = s.id AND v.issued_at IS NULL AND (v.expires_at IS NULL OR v.expires_at > ?))"
                                + " FROM sites s LEFT JOIN wifi_pools p ON p.site_id = s.id"
                                + " WHERE EXISTS (SELECT 1 FROM wifi_vouchers w WHERE w.site_id = s.id)",
                        r -> new Object[] {r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5)},
                        (long) dev.gatehouse.hub.wifi.WifiVoucherStore.DEFAULT_LOW_THRESHOLD,
                        now)
                .stream()
                .filter(row -> (Long) row[4] < (Long) row[3])
                .map(row -> new Condition(
                        (String) row[0],
                        (String) row[1],
                        AlertKind.WIFI_POOL_LOW,
                        (String) row[1],
                        (String) row[2],
                        row[4] + " Wi-Fi voucher codes left (the threshold is " + row[3]
                                + "); upload more on the site's Wi-Fi vouchers page"))
                .toList();
    }

    private static List<String> problems(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            List<String> out = new ArrayList<>();
            Json.MAPPER.readTree(json).forEach(node -> out.add(node.asText()));
            return out;
        } catch (IOException e) {
            return List.of("unreadable problem report");
        }
    }

    /** The tenant's alerts at the given sites (all when {@code siteIds} is empty), open first, newest first. */
    public List<Alert> alerts(String tenantId, Set<String> siteIds, boolean openOnly, int limit) {
        return database.read(c -> {
            List<Alert> all = Sql.list(
                    c,
                    "SELECT " + COLUMNS + " FROM alerts a JOIN sites s ON s.id = a.site_id WHERE a.tenant_id = ?"
                            + (openOnly ? " AND a.cleared_at IS NULL" : "")
                            + " ORDER BY CASE WHEN a.cleared_at IS NULL THEN 0 ELSE 1 END, a.opened_at DESC, a.id"
                            + " LIMIT ?",
                    AlertStore::alert,
                    tenantId,
                    siteIds.isEmpty() ? limit : limit * 4);
            return all.stream()
                    .filter(a -> siteIds.isEmpty() || siteIds.contains(a.siteId()))
                    .limit(limit)
                    .toList();
        });
    }

    public Optional<Alert> alert(String id) {
        return database.read(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + " FROM alerts a JOIN sites s ON s.id = a.site_id WHERE a.id = ?",
                AlertStore::alert,
                id));
    }

    private static Alert alert(ResultSet r) throws SQLException {
        return new Alert(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                AlertKind.valueOf(r.getString(5)),
                r.getString(6),
                r.getString(7),
                r.getString(8),
                r.getString(9),
                Instant.ofEpochMilli(r.getLong(10)),
                Sql.instant(r, 11),
                r.getString(12));
    }

    /**
     * Claims the right to tell the tenant about an alert's opening ({@code cleared} false) or clearing:
     * true for exactly one caller, whichever replica asks first.
     */
    public boolean claimNotification(String id, boolean cleared) {
        long now = clock.millis();
        String column = cleared ? "cleared_notified_at" : "notified_at";
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE alerts SET " + column + " = ? WHERE id = ? AND " + column + " IS NULL"
                                + (cleared ? " AND cleared_at IS NOT NULL" : ""),
                        now,
                        id)
                == 1);
    }

    /** Gives a claim back after its mail could not be sent, so the next pass tries again. */
    public void unclaimNotification(String id, boolean cleared) {
        String column = cleared ? "cleared_notified_at" : "notified_at";
        database.run(c -> Sql.update(c, "UPDATE alerts SET " + column + " = NULL WHERE id = ?", id));
    }

    /** Alerts opened or cleared whose notification nobody sent yet (a replica that died mid-way). */
    public List<String> unnotified() {
        return database.read(c -> Sql.list(
                c,
                "SELECT id FROM alerts WHERE notified_at IS NULL OR (cleared_at IS NOT NULL AND cleared_notified_at"
                        + " IS NULL) ORDER BY opened_at LIMIT 100",
                Sql.STRING));
    }

    /** Who the tenant's alerts are mailed to: its alert e-mails, else its active owners. */
    public List<String> recipients(String tenantId) {
        return database.read(c -> {
            Optional<String> configured =
                    Sql.one(c, "SELECT emails FROM alert_settings WHERE tenant_id = ?", Sql.STRING, tenantId);
            if (configured.isPresent() && !configured.get().isBlank()) {
                return List.of(configured.get().split(","));
            }
            return Sql.list(
                    c,
                    "SELECT email FROM operator_accounts WHERE tenant_id = ? AND role = 'OWNER' AND status = 'ACTIVE'"
                            + " ORDER BY email",
                    Sql.STRING,
                    tenantId);
        });
    }

    /** The tenant's settings: its alert e-mails (empty: its owners) and cache threshold. */
    public record Settings(List<String> emails, long cacheBehind) {}

    public Settings settings(String tenantId) {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT emails, cache_behind FROM alert_settings WHERE tenant_id = ?",
                        r -> new Settings(
                                r.getString(1).isBlank()
                                        ? List.of()
                                        : List.of(r.getString(1).split(",")),
                                r.getLong(2)),
                        tenantId)
                .orElse(new Settings(List.of(), DEFAULT_CACHE_BEHIND)));
    }

    public Settings saveSettings(String tenantId, Settings settings) {
        long now = clock.millis();
        String emails = String.join(",", settings.emails());
        database.run(c -> {
            int updated = Sql.update(
                    c,
                    "UPDATE alert_settings SET emails = ?, cache_behind = ?, updated_at = ? WHERE tenant_id = ?",
                    emails,
                    settings.cacheBehind(),
                    now,
                    tenantId);
            if (updated == 0) {
                Sql.update(
                        c,
                        "INSERT INTO alert_settings (tenant_id, emails, cache_behind, updated_at) VALUES (?, ?, ?, ?)",
                        tenantId,
                        emails,
                        settings.cacheBehind(),
                        now);
            }
        });
        return settings(tenantId);
    }
}
