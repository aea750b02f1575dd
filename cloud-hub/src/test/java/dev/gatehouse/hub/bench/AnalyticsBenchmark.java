package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.analytics.AnalyticsStore;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./gatehouse bench analytics}: the analytics pages' server time (issue 17) for one tenant with
 * S sites (20 doors each), M members, E access events over 90 days and B bookings: {@code GET
 * /api/v1/analytics/sites/{id}/occupancy} for a random site-week and {@code …/heatmap} for a random
 * site-four-weeks, p50/p99 beside the bare SQL limit measured in the same run (the same two indexed
 * range reads over JDBC, every row fetched, nothing computed) and the ratio.
 *
 * <p>Default size is small (2 sites, 500 members, 100,000 events, 5,000 bookings). The size,
 * not run by default (target p99 ≤ 200 ms on PostgreSQL):
 *
 * <pre>
 * ./gatehouse bench analytics --stores postgresql --sites 20 --members 10000 --events 5000000 --bookings 200000
 * </pre>
 */
public final class AnalyticsBenchmark {
    private static final LocalDate FIRST = LocalDate.ofInstant(HubBenchmark.FIRST_DAY, ZoneOffset.UTC);

    private AnalyticsBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "--stores", "sqlite,postgresql",
                "--sites", "2",
                "--members", "500",
                "--events", "100000",
                "--bookings", "5000",
                "--requests", "200"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench analytics [--stores sqlite,postgresql --sites 2"
                        + " --members 500 --events 100000 --bookings 5000 --requests 200]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int sites = Integer.parseInt(options.get("--sites"));
        int members = Integer.parseInt(options.get("--members"));
        int events = Integer.parseInt(options.get("--events"));
        int bookings = Integer.parseInt(options.get("--bookings"));
        int requests = Integer.parseInt(options.get("--requests"));
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse analytics benchmark — %s %s, %d cores; %d sites, %,d members, %,d events, %,d bookings"
                        + " over %d days%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                sites,
                members,
                events,
                bookings,
                HubBenchmark.DAYS);
        for (String name : options.get("--stores").split(",")) {
            StoreKind kind = StoreKind.valueOf(name.strip().toUpperCase(Locale.ROOT));
            try (TestHub hub = TestHub.start(kind)) {
                run(hub, kind, sites, members, events, bookings, requests);
            }
        }
    }

    private static void run(
            TestHub hub, StoreKind kind, int siteCount, int members, int events, int bookings, int requests)
            throws Exception {
        TestHub.Tenant tenant = hub.newTenant("bench");
        List<String> sites = new ArrayList<>();
        List<String> doors = new ArrayList<>();
        List<String> doorSites = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        List<String> rooms = new ArrayList<>();
        for (int s = 0; s < siteCount; s++) {
            String site = hub.create(
                    "/api/v1/sites",
                    tenant.token(),
                    "{\"name\":\"Site " + s + "\",\"address\":\"" + s + " Bench St\",\"timeZone\":\"UTC\"}");
            sites.add(site);
            devices.add(hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"pi\"}"));
            for (int d = 0; d < HubBenchmark.DOORS_PER_SITE; d++) {
                doors.add(hub.create(
                        "/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Door " + s + "-" + d + "\"}"));
                doorSites.add(site);
            }
            for (int r = 0; r < 5; r++) {
                rooms.add(hub.create(
                        "/api/v1/sites/" + site + "/resources",
                        tenant.token(),
                        "{\"name\":\"Room " + s + "-" + r + "\",\"kind\":\"meeting-room\",\"capacity\":8}"));
            }
        }
        long t0 = System.nanoTime();
        hub.hub()
                .stores()
                .accessLog()
                .bulkLoad(
                        tenant.id(),
                        new HubBenchmark.Generator(
                                new HubBenchmark.Layout(sites, doors, doorSites, devices), events, members));
        try (Connection c = HubBenchmark.bareConnection(hub, kind)) {
            loadMembersAndBookings(c, tenant.id(), members, rooms, siteCount, bookings);
        }
        System.out.printf("%n%s: loaded in %.1f s%n", kind, (System.nanoTime() - t0) / 1e9);

        Random random = new Random(17);
        Api api = hub.api();
        long[] occupancy = new long[requests];
        long[] heatmap = new long[requests];
        long[] bare = new long[requests];
        long rows = 0;
        try (Connection c = HubBenchmark.bareConnection(hub, kind)) {
            for (int i = 0; i < requests; i++) {
                String site = sites.get(random.nextInt(sites.size()));
                LocalDate from = FIRST.plusDays(random.nextInt(HubBenchmark.DAYS - 7));
                LocalDate to = from.plusDays(6);
                long a = System.nanoTime();
                Api.Response week = api.get(
                        "/api/v1/analytics/sites/" + site + "/occupancy?from=" + from + "&to=" + to, tenant.token());
                occupancy[i] = System.nanoTime() - a;
                check(week);
                LocalDate monthStart = FIRST.plusDays(random.nextInt(HubBenchmark.DAYS - 28));
                long b = System.nanoTime();
                Api.Response month = api.get(
                        "/api/v1/analytics/sites/" + site + "/heatmap?from=" + monthStart + "&to="
                                + monthStart.plusDays(27),
                        tenant.token());
                heatmap[i] = System.nanoTime() - b;
                check(month);
                long d = System.nanoTime();
                rows += bareReads(c, tenant.id(), site, from, to);
                bare[i] = System.nanoTime() - d;
            }
        }
        HubBenchmark.Stats week = HubBenchmark.Stats.of(occupancy, 0);
        HubBenchmark.Stats grid = HubBenchmark.Stats.of(heatmap, 0);
        HubBenchmark.Stats floor = HubBenchmark.Stats.of(bare, rows);
        System.out.printf("  %-44s %10s %10s %10s %7s %8s%n", "", "p50", "p99", "max", "n", "rows");
        System.out.println(week.line("occupancy, a site-week (HTTP, server + client)"));
        System.out.println(grid.line("heatmap, a site-four-weeks"));
        System.out.println(floor.line("  bare: the week's two range reads over JDBC"));
        System.out.printf(
                "  %-44s %9.1f× %9.1f×%n",
                "  ratio (occupancy ÷ bare)", week.p50() / floor.p50(), week.p99() / floor.p99());
        System.out.printf(
                "  target p99 ≤ 200 ms: occupancy %s, heatmap %s%n",
                week.p99() / 1e6 <= 200 ? "met" : "NOT met", grid.p99() / 1e6 <= 200 ? "met" : "NOT met");
    }

    private static void check(Api.Response response) {
        if (response.status() != 200) {
            throw new IllegalStateException("analytics answered " + response);
        }
    }

    /** The occupancy page's row reads, bare: the same SQL and parameters, every row fetched. */
    private static long bareReads(Connection c, String tenantId, String site, LocalDate from, LocalDate to)
            throws Exception {
        Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        long now = System.currentTimeMillis();
        long rows = 0;
        try (PreparedStatement entries = c.prepareStatement(AnalyticsStore.ENTRIES_SQL)) {
            entries.setString(1, tenantId);
            entries.setString(2, site);
            entries.setLong(3, start.minus(Duration.ofHours(8)).toEpochMilli());
            entries.setLong(4, end.toEpochMilli());
            entries.setBoolean(5, true);
            entries.setLong(6, now);
            try (ResultSet r = entries.executeQuery()) {
                while (r.next()) {
                    r.getString(1);
                    r.getString(2);
                    r.getLong(4);
                    rows++;
                }
            }
        }
        try (PreparedStatement list = c.prepareStatement(AnalyticsStore.BOOKINGS_SQL)) {
            list.setString(1, tenantId);
            list.setString(2, site);
            list.setLong(3, start.minus(Duration.ofDays(1)).toEpochMilli());
            list.setLong(4, end.toEpochMilli());
            list.setLong(5, start.toEpochMilli());
            list.setLong(6, now);
            try (ResultSet r = list.executeQuery()) {
                while (r.next()) {
                    r.getString(1);
                    r.getLong(5);
                    rows++;
                }
            }
        }
        return rows;
    }

    /** Members with the event generator's ids, and one-hour bookings spread over the 90 days, in batches. */
    private static void loadMembersAndBookings(
            Connection c, String tenantId, int members, List<String> rooms, int sites, int bookings) throws Exception {
        c.setAutoCommit(false);
        long created = HubBenchmark.FIRST_DAY.toEpochMilli();
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO members (id, tenant_id, email, full_name,"
                + " phone, company, status, roles, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, NULL, 'ACTIVE',"
                + " '[]', ?, ?)")) {
            for (int i = 0; i < members; i++) {
                insert.setString(1, HubBenchmark.Generator.memberId(i));
                insert.setString(2, tenantId);
                insert.setString(3, "m" + i + "@members.example");
                insert.setString(4, "Member " + i);
                insert.setLong(5, created);
                insert.setLong(6, created);
                insert.addBatch();
                if (i % 1_000 == 999) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
        Random random = new Random(3);
        int perRoom = Math.max(1, bookings / rooms.size());
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO bookings (id, tenant_id, site_id, resource_id,"
                + " member_id, title, start_at, end_at, buffer_before_ms, buffer_after_ms, status, price, credits,"
                + " created_by, created_at, updated_at, release_after_ms, checked_in_at, released_at)"
                + " VALUES (?, ?, (SELECT site_id FROM resources WHERE id = ?), ?, ?, 'Bench', ?, ?, 0, 0, ?, 0, 0,"
                + " 'bench', ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (String room : rooms) {
                // One booking an hour, back to back from the first day on: no two overlap.
                for (int k = 0; k < perRoom; k++) {
                    long start =
                            created + Duration.ofHours(7 + (k % 12)).toMillis() + (k / 12) * HubBenchmark.DAY_MILLIS;
                    boolean needsCheckIn = random.nextBoolean();
                    boolean released = needsCheckIn && random.nextInt(5) == 0;
                    insert.setString(1, "bkg_bench" + n++);
                    insert.setString(2, tenantId);
                    insert.setString(3, room);
                    insert.setString(4, room);
                    insert.setString(5, HubBenchmark.Generator.memberId(random.nextInt(members)));
                    insert.setLong(6, start);
                    insert.setLong(7, start + Duration.ofHours(1).toMillis());
                    insert.setString(8, released ? "RELEASED" : "CONFIRMED");
                    insert.setLong(9, start - HubBenchmark.DAY_MILLIS);
                    insert.setLong(10, start - HubBenchmark.DAY_MILLIS);
                    insert.setObject(11, needsCheckIn ? 600_000L : null, java.sql.Types.BIGINT);
                    insert.setObject(12, needsCheckIn && !released ? start + 60_000L : null, java.sql.Types.BIGINT);
                    insert.setObject(13, released ? start + 600_000L : null, java.sql.Types.BIGINT);
                    insert.addBatch();
                    if (n % 1_000 == 0) {
                        insert.executeBatch();
                    }
                }
            }
            insert.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }
}
