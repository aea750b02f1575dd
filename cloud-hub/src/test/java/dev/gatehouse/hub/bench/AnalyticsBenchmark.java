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
 * S sites (20 doors each, 5 meeting rooms), M members (each with a subscription over the last two
 * years, written into the ledger's history), E access events over 90 days (COPY on PostgreSQL) and B
 * bookings: every analytics GET route through the API — occupancy (a random site-week), heatmap (a
 * random site-four-weeks), the present and bookings drill-downs, the weekly report PDF, MRR (its
 * first page of 50 subscriptions, the total over all), the waterfall, a month's movements, cohorts and renewals — p50/p99 beside the bare limit measured in the
 * same run (the page's indexed range reads over JDBC, every row fetched, nothing computed: the week's or
 * four weeks' entries and bookings, or the ledger's revisions) and the ratio.
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

    /** One analytics page: its name, the path asked for a random pick, and which bare read it stands beside. */
    private record Page(String name, java.util.function.Function<Pick, String> path, Bare bare) {}

    private enum Bare {
        WEEK,
        FOUR_WEEKS,
        REVISIONS
    }

    /** What one round asks: a site, a week from a Monday-ish day, a four-week start, a month. */
    private record Pick(String site, LocalDate week, LocalDate month, java.time.YearMonth ledgerMonth) {}

    private static final List<Page> PAGES = List.of(
            new Page(
                    "occupancy, a site-week",
                    p -> "/sites/" + p.site() + "/occupancy?from=" + p.week() + "&to="
                            + p.week().plusDays(6),
                    Bare.WEEK),
            new Page(
                    "heatmap, a site-four-weeks",
                    p -> "/sites/" + p.site() + "/heatmap?from=" + p.month() + "&to="
                            + p.month().plusDays(27),
                    Bare.FOUR_WEEKS),
            new Page(
                    "rows: present in an hour",
                    p -> "/sites/" + p.site() + "/rows?metric=present&from=" + p.week() + "&to="
                            + p.week().plusDays(6) + "&hour="
                            + p.week().atTime(10, 0).toInstant(ZoneOffset.UTC),
                    Bare.WEEK),
            new Page(
                    "rows: a week's bookings",
                    p -> "/sites/" + p.site() + "/rows?metric=bookings&from=" + p.week() + "&to="
                            + p.week().plusDays(6),
                    Bare.WEEK),
            new Page(
                    "weekly report PDF",
                    p -> "/sites/" + p.site() + "/weekly-report/pdf?week="
                            + p.week().minusDays(p.week().getDayOfWeek().getValue() - 1L),
                    Bare.WEEK),
            // The MRR drill-down is paged (issue 17): the first page (the default 50 subscriptions) with the
            // figure and row count over all of them, as the console's starting/ending links ask for it.
            new Page("mrr, first page of 50", p -> "/mrr", Bare.REVISIONS),
            new Page("mrr waterfall, 12 months", p -> "/mrr/waterfall", Bare.REVISIONS),
            new Page("mrr movements, a month", p -> "/mrr/movements?month=" + p.ledgerMonth(), Bare.REVISIONS),
            new Page("cohorts, 12 months", p -> "/cohorts", Bare.REVISIONS),
            new Page("renewals, 90 days", p -> "/renewals?days=90", Bare.REVISIONS));

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
        long t1 = System.nanoTime();
        try (Connection c = HubBenchmark.bareConnection(hub, kind)) {
            loadMembersAndBookings(c, tenant.id(), members, rooms, siteCount, bookings);
            loadRevisions(c, kind, tenant.id(), members, sites);
            if (kind == StoreKind.POSTGRESQL) {
                try (var analyze = c.createStatement()) {
                    analyze.execute("ANALYZE");
                }
            }
        }
        System.out.printf(
                "%n%s: loaded in %.1f s (events %.1f s, the rest %.1f s)%n",
                kind, (System.nanoTime() - t0) / 1e9, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);

        Random random = new Random(17);
        Api api = hub.api();
        java.time.YearMonth thisMonth = java.time.YearMonth.now(ZoneOffset.UTC);
        int warm = Math.max(10, requests / 10);
        long[][] server = new long[PAGES.size()][requests];
        Map<Bare, long[]> bare = new java.util.EnumMap<>(Bare.class);
        Map<Bare, long[]> bareRows = new java.util.EnumMap<>(Bare.class);
        for (Bare b : Bare.values()) {
            bare.put(b, new long[requests]);
            bareRows.put(b, new long[1]);
        }
        try (Connection c = HubBenchmark.bareConnection(hub, kind)) {
            for (int i = -warm; i < requests; i++) {
                Pick pick = new Pick(
                        sites.get(random.nextInt(sites.size())),
                        FIRST.plusDays(random.nextInt(HubBenchmark.DAYS - 7)),
                        FIRST.plusDays(random.nextInt(HubBenchmark.DAYS - 28)),
                        thisMonth.minusMonths(random.nextInt(12)));
                for (int p = 0; p < PAGES.size(); p++) {
                    long a = System.nanoTime();
                    Api.Response response =
                            api.get("/api/v1/analytics" + PAGES.get(p).path().apply(pick), tenant.token());
                    long took = System.nanoTime() - a;
                    check(response);
                    if (i >= 0) {
                        server[p][i] = took;
                    }
                }
                for (Bare b : Bare.values()) {
                    long a = System.nanoTime();
                    long rows =
                            switch (b) {
                                case WEEK ->
                                    bareReads(
                                            c,
                                            tenant.id(),
                                            pick.site(),
                                            pick.week(),
                                            pick.week().plusDays(6));
                                case FOUR_WEEKS ->
                                    bareReads(
                                            c,
                                            tenant.id(),
                                            pick.site(),
                                            pick.month(),
                                            pick.month().plusDays(27));
                                case REVISIONS -> bareRevisions(c, tenant.id());
                            };
                    long took = System.nanoTime() - a;
                    if (i >= 0) {
                        bare.get(b)[i] = took;
                        bareRows.get(b)[0] += rows;
                    }
                }
            }
        }
        System.out.printf(
                "  %-30s %10s %10s   %-24s %10s %10s %6s %6s  %s%n",
                "page (HTTP, server + client)",
                "p50",
                "p99",
                "bare indexed read",
                "p50",
                "p99",
                "×p50",
                "×p99",
                "p99 ≤ 200 ms");
        boolean all = true;
        for (int p = 0; p < PAGES.size(); p++) {
            Page page = PAGES.get(p);
            HubBenchmark.Stats s = HubBenchmark.Stats.of(server[p], 0);
            HubBenchmark.Stats b = HubBenchmark.Stats.of(bare.get(page.bare()), 0);
            boolean met = s.p99() / 1e6 <= 200;
            all &= met;
            System.out.printf(
                    Locale.ROOT,
                    "  %-30s %7.2f ms %7.2f ms   %-24s %7.2f ms %7.2f ms %5.1f× %5.1f×  %s%n",
                    page.name(),
                    s.p50() / 1e6,
                    s.p99() / 1e6,
                    switch (page.bare()) {
                        case WEEK -> "week's entries+bookings";
                        case FOUR_WEEKS -> "4 weeks' entries+bookings";
                        case REVISIONS -> "ledger revisions";
                    },
                    b.p50() / 1e6,
                    b.p99() / 1e6,
                    s.p50() / b.p50(),
                    s.p99() / b.p99(),
                    met ? "met" : "NOT met");
        }
        for (Bare b : Bare.values()) {
            System.out.printf(
                    "  bare %-12s %,10.0f rows a read%n",
                    b.name().toLowerCase(Locale.ROOT), (double) bareRows.get(b)[0] / requests);
        }
        System.out.printf(
                "  target p99 ≤ 200 ms on every page: %s (%d requests a page)%n", all ? "met" : "NOT met", requests);
    }

    /** The revenue pages' row read, bare: the tenant's subscription revisions, every row fetched. */
    private static long bareRevisions(Connection c, String tenantId) throws Exception {
        long rows = 0;
        try (PreparedStatement read = c.prepareStatement(AnalyticsStore.REVISIONS_SQL)) {
            read.setString(1, tenantId);
            read.setLong(2, System.currentTimeMillis());
            try (ResultSet r = read.executeQuery()) {
                while (r.next()) {
                    r.getString(1);
                    r.getLong(8);
                    r.getLong(12);
                    rows++;
                }
            }
        }
        return rows;
    }

    /**
     * One membership a member over the last two years (a third of them changing price once, a fifth
     * ending), written straight into the ledger's history: subscription_history is what the revenue
     * pages read. Its foreign key to subscriptions is not enforced for this load (PostgreSQL: the
     * session's replication role; SQLite: the bare connection leaves foreign keys off).
     */
    private static void loadRevisions(Connection c, StoreKind kind, String tenantId, int members, List<String> sites)
            throws Exception {
        if (kind == StoreKind.POSTGRESQL) {
            try (var role = c.createStatement()) {
                role.execute("SET session_replication_role = replica");
            }
        }
        c.setAutoCommit(false);
        Random random = new Random(5);
        long now = System.currentTimeMillis();
        long twoYears = Duration.ofDays(730).toMillis();
        long[] prices = {15_000, 25_000, 35_000, 60_000};
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO subscription_history (tenant_id,"
                + " subscription_id, revision, member_id, site_id, package_id, package_kind, seats, price, currency,"
                + " billing_interval, status, started_at, ends_at, committed_until, paused_from, paused_until,"
                + " recorded_at) VALUES (?, ?, ?, ?, ?, 'pkg_bench', ?, ?, ?, 'EUR', 'MONTH', ?, ?, ?, ?, NULL, NULL,"
                + " ?)")) {
            for (int i = 0; i < members; i++) {
                long started = now - (long) (random.nextDouble() * twoYears);
                boolean team = random.nextInt(10) == 0;
                long price = prices[random.nextInt(prices.length)];
                String committed = random.nextInt(3) == 0
                        ? LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC)
                                .plusDays(random.nextInt(120))
                                .toString()
                        : null;
                int revision = 1;
                revision(
                        insert,
                        tenantId,
                        i,
                        revision++,
                        sites,
                        team,
                        price,
                        "ACTIVE",
                        started,
                        null,
                        committed,
                        started);
                if (random.nextInt(3) == 0) {
                    long changed = started + (long) (random.nextDouble() * (now - started));
                    price = prices[random.nextInt(prices.length)];
                    revision(
                            insert,
                            tenantId,
                            i,
                            revision++,
                            sites,
                            team,
                            price,
                            "ACTIVE",
                            started,
                            null,
                            committed,
                            changed);
                    started = changed;
                }
                if (random.nextInt(5) == 0) {
                    long ended = started + (long) (random.nextDouble() * (now - started));
                    revision(
                            insert, tenantId, i, revision, sites, team, price, "ENDED", started, ended, committed,
                            ended);
                }
                if (i % 1_000 == 999) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private static void revision(
            PreparedStatement insert,
            String tenantId,
            int member,
            int revision,
            List<String> sites,
            boolean team,
            long price,
            String status,
            long started,
            Long ended,
            String committed,
            long recorded)
            throws Exception {
        insert.setString(1, tenantId);
        insert.setString(2, String.format("sub_bench%06d", member));
        insert.setInt(3, revision);
        insert.setString(4, HubBenchmark.Generator.memberId(member));
        insert.setString(5, sites.get(member % sites.size()));
        insert.setString(6, team ? "TEAM" : "MEMBERSHIP");
        insert.setInt(7, team ? 4 : 1);
        insert.setLong(8, price);
        insert.setString(9, status);
        insert.setLong(10, started);
        insert.setObject(11, ended, java.sql.Types.BIGINT);
        insert.setString(12, committed);
        insert.setLong(13, recorded);
        insert.addBatch();
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
