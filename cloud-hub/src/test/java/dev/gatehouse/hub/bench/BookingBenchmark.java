package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Bookings on SQLite and PostgreSQL: the availability of one site-week of 200 resources with 10,000
 * bookings stored, through the API, beside the bare SQL that reads the same intervals; and booking
 * creates through the API (rules, collision check, the booking, its blocks and the change-log entry in
 * one transaction) with 1 and 16 concurrent clients, beside a bare one-row insert transaction on the
 * same store with as many clients.
 *
 * <p>Run: {@code ./gatehouse bench bookings [--stores sqlite,postgresql --resources 200 --bookings 10000
 * --rounds 200]}. Not a test: nothing is asserted.
 */
public final class BookingBenchmark {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String BARE_AVAILABILITY = "SELECT b.resource_id, b.booking_id, b.occupied_from,"
            + " b.occupied_until FROM booking_blocks b JOIN resources r ON r.id = b.resource_id"
            + " WHERE r.tenant_id = ? AND r.site_id = ? AND b.occupied_from < ? AND b.occupied_until > ?"
            + " ORDER BY b.resource_id, b.occupied_from";

    private BookingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "--stores", "sqlite,postgresql", "--resources", "200", "--bookings", "10000", "--rounds", "200"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench bookings [--stores sqlite,postgresql --resources 200"
                        + " --bookings 10000 --rounds 200]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        int resources = Integer.parseInt(options.get("--resources"));
        int bookings = Integer.parseInt(options.get("--bookings"));
        int rounds = Integer.parseInt(options.get("--rounds"));
        HubBenchmark.quietLogs();
        System.out.printf(
                "Gatehouse booking benchmark — %s %s, %d cores; %d resources, %d bookings%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                resources,
                bookings);
        for (String name : options.get("--stores").split(",")) {
            StoreKind kind = name.strip().equalsIgnoreCase("sqlite") ? StoreKind.SQLITE : StoreKind.POSTGRESQL;
            try (TestHub hub = TestHub.start(kind)) {
                run(hub, kind, resources, bookings, rounds);
            }
        }
    }

    private static void run(TestHub hub, StoreKind kind, int resourceCount, int bookingCount, int rounds)
            throws Exception {
        System.out.printf("%n== %s%n", kind.label());
        TestHub.Tenant tenant = hub.newTenant("bench");
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Bench\",\"address\":\"b\",\"timeZone\":\"Europe/Berlin\"}");
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(hub.create(
                    "/api/v1/members", tenant.token(), "{\"email\":\"m" + i + "@bench.example\",\"fullName\":\"M\"}"));
        }
        List<String> resources = new ArrayList<>();
        for (int i = 0; i < resourceCount; i++) {
            resources.add(hub.create(
                    "/api/v1/sites/" + site + "/resources",
                    tenant.token(),
                    "{\"name\":\"R" + i + "\",\"kind\":\"" + (i % 3 == 0 ? "hot-desk" : "meeting-room")
                            + "\",\"rules\":{\"bufferAfterMinutes\":15,\"maxAdvanceDays\":365}}"));
        }
        // 10,000 bookings over the next 10 weeks, through the store (rules overridden: speed of loading).
        BookingStore store =
                new BookingStore(hub.hub().database(), hub.hub().stores().clock());
        Instant origin = LocalDate.now(BERLIN).plusDays(1).atStartOfDay(BERLIN).toInstant();
        Random random = new Random(42);
        int stored = 0;
        long loadStart = System.nanoTime();
        while (stored < bookingCount) {
            String resource = resources.get(random.nextInt(resources.size()));
            Instant start = origin.plus(Duration.ofMinutes(15L * random.nextInt(70 * 24 * 4)));
            Instant end = start.plus(Duration.ofMinutes(15L * (1 + random.nextInt(12))));
            var outcome = store.create(
                    tenant.id(),
                    new BookingStore.NewBooking(
                            resource,
                            members.get(random.nextInt(members.size())),
                            "b",
                            start,
                            end,
                            Optional.of("benchmark load"),
                            "bench"));
            if (outcome instanceof dev.gatehouse.hub.store.StoreResult.Found<BookingStore.Outcome> found
                    && found.value() instanceof BookingStore.Outcome.Booked) {
                stored++;
            }
        }
        System.out.printf("  loaded %d bookings in %.1f s%n", stored, (System.nanoTime() - loadStart) / 1e9);

        // The busiest week: the first full week of the range.
        Instant from = origin.plus(Duration.ofDays(7));
        Instant until = from.plus(Duration.ofDays(7));
        String path = "/api/v1/sites/" + site + "/availability?from=" + from + "&until=" + until;
        long[] api = new long[rounds];
        long[] bare = new long[rounds];
        long rows = 0;
        for (int i = -20; i < rounds; i++) {
            long t0 = System.nanoTime();
            Api.Response response = hub.api().get(path, tenant.token());
            long t1 = System.nanoTime();
            if (response.status() != 200) {
                throw new IllegalStateException("availability answered " + response);
            }
            long counted = hub.hub().database().read(c -> bareAvailability(c, tenant.id(), site, from, until));
            long t2 = System.nanoTime();
            if (i >= 0) {
                api[i] = t1 - t0;
                bare[i] = t2 - t1;
                rows = counted;
            }
        }
        HubBenchmark.Stats apiStats = HubBenchmark.Stats.of(api, 0);
        HubBenchmark.Stats bareStats = HubBenchmark.Stats.of(bare, 0);
        System.out.printf("  availability, one site-week (%d intervals)%n", rows);
        System.out.printf("  %-44s %10s %10s %10s %7s%n", "", "p50", "p99", "max", "n");
        System.out.println(apiStats.line("GET …/availability (HTTP, JSON)"));
        System.out.println(bareStats.line("  bare: the same intervals by SQL"));
        System.out.printf(
                "  %-44s %9.1f× %9.1f×%n",
                "  ratio", apiStats.p50() / bareStats.p50(), apiStats.p99() / bareStats.p99());
        System.out.printf("  target p99 ≤ 20 ms: %s%n", apiStats.p99() / 1e6 <= 20 ? "met" : "NOT met");

        hub.hub().database().run(c -> {
            try (var statement = c.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS bench_bare (id TEXT PRIMARY KEY, at BIGINT NOT NULL)");
            }
        });
        for (int clients : new int[] {1, 16}) {
            int perClient = Math.max(1, rounds / (clients == 1 ? 1 : 4));
            long[] creates =
                    creates(hub, tenant, resources, members, origin.plus(Duration.ofDays(80)), clients, perClient);
            long[] inserts = bareInserts(hub, clients, perClient);
            HubBenchmark.Stats c = HubBenchmark.Stats.of(creates, 0);
            HubBenchmark.Stats b = HubBenchmark.Stats.of(inserts, 0);
            System.out.printf("  booking create, %d client%s%n", clients, clients == 1 ? "" : "s");
            System.out.println(c.line("POST /api/v1/bookings (HTTP, rules, blocks, log)"));
            System.out.println(b.line("  bare: one-row insert transaction"));
            System.out.printf("  %-44s %9.1f× %9.1f×%n", "  ratio", c.p50() / b.p50(), c.p99() / b.p99());
        }
    }

    private static long bareAvailability(Connection c, String tenantId, String site, Instant from, Instant until)
            throws java.sql.SQLException {
        try (PreparedStatement query = c.prepareStatement(BARE_AVAILABILITY)) {
            query.setString(1, tenantId);
            query.setString(2, site);
            query.setLong(3, until.toEpochMilli());
            query.setLong(4, from.toEpochMilli());
            long n = 0;
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    rows.getString(1);
                    rows.getString(2);
                    rows.getLong(3);
                    rows.getLong(4);
                    n++;
                }
            }
            return n;
        }
    }

    /** Creates through the API, each client on its own resources and days: no request collides. */
    private static long[] creates(
            TestHub hub,
            TestHub.Tenant tenant,
            List<String> resources,
            List<String> members,
            Instant base,
            int clients,
            int perClient)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    long[] samples = new long[perClient];
                    for (int i = 0; i < perClient; i++) {
                        // A slot of its own for every request (2 h apart, so buffers never meet either).
                        long slot = (clients == 1 ? 0 : 1000) + (long) client * perClient + i;
                        String resource = resources.get((int) (slot % resources.size()));
                        Instant start = base.plus(Duration.ofHours(2 * slot));
                        String body = "{\"resourceId\":\"" + resource + "\",\"memberId\":\""
                                + members.get(i % members.size()) + "\",\"start\":\"" + start + "\",\"end\":\""
                                + start.plus(Duration.ofHours(1)) + "\"}";
                        long t0 = System.nanoTime();
                        Api.Response response = hub.api().post("/api/v1/bookings", tenant.token(), body);
                        samples[i] = System.nanoTime() - t0;
                        if (response.status() != 201) {
                            throw new IllegalStateException("create answered " + response);
                        }
                    }
                    return samples;
                }));
            }
            return merge(results);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] bareInserts(TestHub hub, int clients, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    long[] samples = new long[perClient];
                    for (int i = 0; i < perClient; i++) {
                        String id = clients + "-" + client + "-" + i;
                        long t0 = System.nanoTime();
                        hub.hub().database().run(conn -> {
                            try (PreparedStatement insert =
                                    conn.prepareStatement("INSERT INTO bench_bare (id, at) VALUES (?, ?)")) {
                                insert.setString(1, id);
                                insert.setLong(2, System.currentTimeMillis());
                                insert.executeUpdate();
                            }
                        });
                        samples[i] = System.nanoTime() - t0;
                    }
                    return samples;
                }));
            }
            return merge(results);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] merge(List<Future<long[]>> results) throws Exception {
        List<long[]> parts = new ArrayList<>();
        int total = 0;
        for (Future<long[]> result : results) {
            long[] part = result.get(10, TimeUnit.MINUTES);
            parts.add(part);
            total += part.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
