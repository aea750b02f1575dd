package dev.gatehouse.hub.analytics;

import dev.gatehouse.hub.access.PresenceRollup;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the rows the metrics are functions of, each with a range query on an index and the as-of
 * instant in the query (rows recorded after it are not read): subscription revisions, granted entries,
 * resources, bookings, holidays, and the sites' targets (V37), which it also writes.
 */
public record AnalyticsStore(Database database, Clock clock, LedgerCache ledger) {
    public AnalyticsStore(Database database, Clock clock) {
        this(database, clock, new LedgerCache());
    }

    /** A site of the tenant: its zone and the numbers its occupancies divide by. */
    public record Site(String id, String name, ZoneId zone) {}

    /** What a site's occupancies divide by; empty capacity or desks: fall back to its resources. */
    public record Targets(Optional<Integer> capacity, Optional<Integer> desks, int hotDeskPercent) {
        public static final Targets NONE = new Targets(Optional.empty(), Optional.empty(), 100);
    }

    public static final String ENTRIES_SQL = "SELECT id, member_id, door_id, at, received_at FROM access_events"
            + " WHERE tenant_id = ? AND site_id = ? AND at >= ? AND at < ? AND granted = ?"
            + " AND member_id IS NOT NULL AND received_at <= ?";

    public static final String BOOKINGS_SQL = "SELECT id, resource_id, member_id, status, start_at, end_at, created_at,"
            + " cancelled_at, decided_at, released_at, checked_in_at, release_after_ms FROM bookings"
            + " WHERE tenant_id = ? AND site_id = ? AND start_at >= ? AND start_at < ? AND end_at > ?"
            + " AND created_at <= ?";

    public static final String REVISIONS_SQL = LedgerCache.LEDGER_SQL + " AND recorded_at <= ?";

    public List<Site> sites(String tenantId, Predicate<String> covers) {
        return database.read(c -> Sql.list(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        r -> new Site(r.getString(1), r.getString(2), ZoneId.of(r.getString(3))),
                        tenantId)
                .stream()
                .filter(site -> covers.test(site.id()))
                .toList());
    }

    public Optional<Site> site(String tenantId, String siteId) {
        return database.read(c -> Sql.one(
                c,
                "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? AND id = ?",
                r -> new Site(r.getString(1), r.getString(2), ZoneId.of(r.getString(3))),
                tenantId,
                siteId));
    }

    /**
     * Every revision of the tenant's subscriptions at the sites {@code covers} accepts, recorded by {@code asOf}:
     * what {@link #REVISIONS_SQL} reads, taken from the {@link LedgerCache} while the ledger is unchanged.
     */
    public List<Revision> revisions(String tenantId, Instant asOf, Predicate<String> covers) {
        List<Revision> all = database.read(c -> ledger.revisions(c, tenantId));
        List<Revision> known = new java.util.ArrayList<>(all.size());
        for (Revision r : all) {
            if (!r.recordedAt().isAfter(asOf) && covers.test(r.siteId())) {
                known.add(r);
            }
        }
        return known;
    }

    /** Every revision of the tenant's subscriptions at one site, recorded by {@code asOf} (on its V50 index). */
    public List<Revision> siteRevisions(String tenantId, String siteId, Instant asOf) {
        return database.read(
                c -> Sql.list(c, REVISIONS_SQL + " AND site_id = ?", AnalyticsStore::revision, tenantId, asOf, siteId));
    }

    static Revision revision(ResultSet r) throws SQLException {
        return new Revision(
                r.getString(1),
                r.getInt(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                r.getString(6),
                r.getInt(7),
                r.getLong(8),
                r.getString(9),
                r.getString(10),
                r.getString(11),
                Instant.ofEpochMilli(r.getLong(12)),
                Sql.instant(r, 13),
                Optional.ofNullable(r.getString(14)).map(LocalDate::parse),
                Sql.instant(r, 15),
                Sql.instant(r, 16),
                Instant.ofEpochMilli(r.getLong(17)));
    }

    /** Granted member entries at the site with {@code from <= at < to}, received by {@code asOf}. */
    public List<Rows.Entry> entries(String tenantId, String siteId, Instant from, Instant to, Instant asOf) {
        return database.read(c -> Sql.list(
                c,
                ENTRIES_SQL,
                r -> new Rows.Entry(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        Instant.ofEpochMilli(r.getLong(4)),
                        Instant.ofEpochMilli(r.getLong(5))),
                tenantId,
                siteId,
                from,
                to,
                true,
                asOf));
    }

    /**
     * How many distinct members were present in each of {@code hours} before {@code asOf} (physical
     * occupancy's rule, {@link Occupancy#present}). An hour is read from the hourly presence
     * ({@link PresenceRollup}) when that holds the as-of answer: made with this dwell, a whole UTC hour
     * (zones at whole-hour offsets), kept (not given up to retention), ended by the as-of instant, and
     * none of its entries received after it. Every other hour is computed from the entries, read for
     * the span of those hours only (usually the current hour, or none).
     */
    public List<Integer> presence(String tenantId, String siteId, List<Instant> hours, Duration dwell, Instant asOf) {
        int before = (int) hours.stream().filter(h -> h.isBefore(asOf)).count();
        if (before == 0) {
            return List.of();
        }
        long first = hours.getFirst().toEpochMilli();
        long end = hours.get(before - 1).toEpochMilli() + HOUR;
        long asOfMs = asOf.toEpochMilli();
        Integer[] people = new Integer[before];
        int rawFirst = -1;
        int rawLast = -1;
        Map<Long, PresenceRollup.Hour> stored = database.read(c -> {
            boolean usable = first % HOUR == 0
                    && PresenceRollup.dwell(c).filter(dwell::equals).isPresent();
            return usable ? PresenceRollup.hours(c, tenantId, siteId, first, end) : null;
        });
        long kept = stored == null ? Long.MAX_VALUE : database.read(c -> PresenceRollup.from(c, tenantId));
        for (int i = 0; i < before; i++) {
            long h = hours.get(i).toEpochMilli();
            PresenceRollup.Hour row = stored == null ? null : stored.get(h);
            if (stored != null && h >= kept && h + HOUR <= asOfMs && (row == null || row.receivedMax() <= asOfMs)) {
                people[i] = row == null ? 0 : row.people();
            } else {
                rawFirst = rawFirst < 0 ? i : rawFirst;
                rawLast = i;
            }
        }
        if (rawFirst >= 0) {
            List<Instant> span = hours.subList(rawFirst, rawLast + 1);
            List<Rows.Entry> entries = entries(
                    tenantId,
                    siteId,
                    span.getFirst().minus(dwell),
                    span.getLast().plusSeconds(3600),
                    asOf);
            List<Set<String>> present = Occupancy.present(entries, span, dwell, asOf);
            for (int i = rawFirst; i <= rawLast; i++) {
                if (people[i] == null) {
                    people[i] = present.get(i - rawFirst).size();
                }
            }
        }
        return List.of(people);
    }

    private static final long HOUR = 3_600_000L;

    /** The site's bookable resources, of one kind or all. */
    public List<Rows.Resource> resources(String tenantId, String siteId, Optional<String> kind) {
        return database.read(c -> resources(c, tenantId, siteId, kind));
    }

    private static List<Rows.Resource> resources(Connection c, String tenantId, String siteId, Optional<String> kind)
            throws SQLException {
        return Sql.list(
                        c,
                        "SELECT id, name, kind, capacity, opening_hours, closed_on_holidays FROM resources"
                                + " WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                        r -> new Rows.Resource(
                                r.getString(1),
                                r.getString(2),
                                r.getString(3),
                                r.getInt(4),
                                ResourceStore.windows(r.getString(5)),
                                r.getBoolean(6)),
                        tenantId,
                        siteId)
                .stream()
                .filter(resource -> kind.map(resource.kind()::equals).orElse(true))
                .toList();
    }

    /**
     * The site's bookings overlapping [from, to) and made by {@code asOf}. The range on start_at (bounded
     * below by the longest booking any of its resources allows) keeps the read on the site's index.
     */
    public List<Rows.Booking> bookings(String tenantId, String siteId, Instant from, Instant to, Instant asOf) {
        return database.read(c -> {
            long longest = Sql.one(
                            c,
                            "SELECT MAX(max_minutes) FROM resources WHERE tenant_id = ? AND site_id = ?",
                            Sql.LONG,
                            tenantId,
                            siteId)
                    .orElse(0L);
            return Sql.list(
                    c,
                    BOOKINGS_SQL,
                    r -> new Rows.Booking(
                            r.getString(1),
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            Instant.ofEpochMilli(r.getLong(5)),
                            Instant.ofEpochMilli(r.getLong(6)),
                            Instant.ofEpochMilli(r.getLong(7)),
                            Sql.instant(r, 8),
                            Sql.instant(r, 9),
                            Sql.instant(r, 10),
                            Sql.instant(r, 11),
                            r.getObject(12) != null),
                    tenantId,
                    siteId,
                    from.minusSeconds(60 * Math.max(longest, 24 * 60)),
                    to,
                    from,
                    asOf);
        });
    }

    public Set<LocalDate> holidays(String tenantId, String siteId) {
        return new HashSet<>(database.read(c -> Sql.list(
                c,
                "SELECT day FROM site_holidays WHERE tenant_id = ? AND site_id = ?",
                r -> LocalDate.parse(r.getString(1)),
                tenantId,
                siteId)));
    }

    public Targets targets(String tenantId, String siteId) {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT capacity, desks, hot_desk_percent FROM analytics_site_targets"
                                + " WHERE tenant_id = ? AND site_id = ?",
                        r -> new Targets(nullableInt(r, 1), nullableInt(r, 2), r.getInt(3)),
                        tenantId,
                        siteId)
                .orElse(Targets.NONE));
    }

    private static Optional<Integer> nullableInt(ResultSet r, int column) throws SQLException {
        int value = r.getInt(column);
        return r.wasNull() ? Optional.empty() : Optional.of(value);
    }

    public void setTargets(String tenantId, String siteId, Targets targets) {
        Instant now = clock.instant();
        database.write(c -> {
            int updated = Sql.update(
                    c,
                    "UPDATE analytics_site_targets SET capacity = ?, desks = ?, hot_desk_percent = ?, updated_at = ?"
                            + " WHERE tenant_id = ? AND site_id = ?",
                    targets.capacity(),
                    targets.desks(),
                    targets.hotDeskPercent(),
                    now,
                    tenantId,
                    siteId);
            if (updated == 0) {
                Sql.update(
                        c,
                        "INSERT INTO analytics_site_targets (site_id, tenant_id, capacity, desks, hot_desk_percent,"
                                + " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        siteId,
                        tenantId,
                        targets.capacity(),
                        targets.desks(),
                        targets.hotDeskPercent(),
                        now);
            }
            return null;
        });
    }
}
