package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hub's hot paths on SQLite and on PostgreSQL, each beside its bare limit, in one run per store:
 *
 * <ul>
 *   <li>a real hub ({@link TestHub}: HTTP server on a free port, real store) holding {@code --events}
 *       access events of one tenant (3 sites × 20 doors, {@code --members} members, 90 days),
 *       bulk-loaded through {@link AccessLogStore#bulkLoad};
 *   <li>access-log queries over HTTP — one door one day, one site one day, one member — with
 *       p50/p99/max over {@code --queries} random doors, days and members, beside the same SQL run
 *       bare over a plain JDBC connection on the same store;
 *   <li>member creation over HTTP ({@code POST /api/v1/members}) with 1 client and with 4 concurrent
 *       clients: creates per second and latency.
 * </ul>
 *
 * <p>Run: {@code ./gatehouse bench hub [--events 1000000] [--members 5000] [--creates 2000]
 * [--queries 500] [--stores sqlite,postgresql]}. Not a test: nothing is asserted, and {@code mvn
 * verify} does not run it. PostgreSQL is the local server on 127.0.0.1:5432 when it answers, else an
 * embedded one ({@code PostgresServer}).
 */
public final class HubBenchmark {
    static final int SITES = 3;
    static final int DOORS_PER_SITE = 20;
    static final int DAYS = 90;
    static final Instant FIRST_DAY = Instant.parse("2026-01-01T00:00:00Z");
    static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
    private static final double DOOR_DAY_TARGET_P99_MS = 20;
    private static final double CREATE_TARGET_PER_SECOND = 500;

    private static final Logger PROBLEMS_LOG = Logger.getLogger("dev.gatehouse.hub.web.Problems");

    private final int events;
    private final int members;
    private final int creates;
    private final int queries;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> summary = new ArrayList<>();

    private HubBenchmark(int events, int members, int creates, int queries) {
        this.events = events;
        this.members = members;
        this.creates = creates;
        this.queries = queries;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "--events", "1000000",
                "--members", "5000",
                "--creates", "2000",
                "--queries", "500",
                "--stores", "sqlite,postgresql"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench hub [--events 1000000] [--members 5000]"
                        + " [--creates 2000] [--queries 500] [--stores sqlite,postgresql]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        quietLogs();
        HubBenchmark bench = new HubBenchmark(
                Integer.parseInt(options.get("--events")),
                Integer.parseInt(options.get("--members")),
                Integer.parseInt(options.get("--creates")),
                Integer.parseInt(options.get("--queries")));
        System.out.printf(
                "Gatehouse hub benchmark — %s %s, %d cores%n"
                        + "%,d access events of one tenant: %d sites × %d doors, %,d members, %d days%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                bench.events,
                SITES,
                DOORS_PER_SITE,
                bench.members,
                DAYS);
        for (String store : options.get("--stores").split(",")) {
            bench.run(StoreKind.valueOf(store.strip().toUpperCase(Locale.ROOT)));
        }
        System.out.println("== summary");
        bench.summary.forEach(System.out::println);
    }

    /** The hub logs its start and Flyway its migrations at INFO; the benchmark's output is the table. */
    static void quietLogs() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        Arrays.stream(root.getHandlers()).forEach(handler -> handler.setLevel(Level.WARNING));
    }

    private void run(StoreKind kind) throws Exception {
        try (TestHub hub = TestHub.start(kind)) {
            TestHub.Tenant tenant = hub.newTenant("bench");
            Layout layout = layout(hub, tenant);
            System.out.printf("== %s (%s)%n", kind.label(), hub.hub().database().description());

            long loadStart = System.nanoTime();
            long loaded = hub.hub().stores().accessLog().bulkLoad(tenant.id(), new Generator(layout, events, members));
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            System.out.printf(
                    "  bulk load: %,d events in %.1f s (%,.0f events/s)%s%n",
                    loaded, loadSeconds, loaded / loadSeconds, size(hub, kind));

            AccessQuery sample = AccessQuery.of(tenant.id())
                    .door(layout.doors.get(7))
                    .between(FIRST_DAY.plusMillis(40 * DAY_MILLIS), FIRST_DAY.plusMillis(41 * DAY_MILLIS));
            System.out.println("  plan of the door+day query:");
            hub.hub().stores().accessLog().plan(sample).forEach(line -> System.out.println("    " + line));
            System.out.println();

            Random random = new Random(42);
            Workload doorDay = new Workload("one door, one day (limit 50)", i -> {
                String door = layout.doors.get(random.nextInt(layout.doors.size()));
                long day = FIRST_DAY.toEpochMilli() + random.nextInt(DAYS) * DAY_MILLIS;
                return AccessQuery.of(tenant.id())
                        .door(door)
                        .between(Instant.ofEpochMilli(day), Instant.ofEpochMilli(day + DAY_MILLIS));
            });
            Workload doorDayAll = new Workload(
                    "one door, one whole day (limit 500)", i -> doorDay.next(i).limit(500));
            Workload siteDay = new Workload("one site, one day (limit 50)", i -> {
                String site = layout.sites.get(random.nextInt(SITES));
                long day = FIRST_DAY.toEpochMilli() + random.nextInt(DAYS) * DAY_MILLIS;
                return AccessQuery.of(tenant.id())
                        .site(site)
                        .between(Instant.ofEpochMilli(day), Instant.ofEpochMilli(day + DAY_MILLIS));
            });
            Workload member = new Workload("one member, newest first (limit 50)", i -> AccessQuery.of(tenant.id())
                    .member(Generator.memberId(random.nextInt(members))));

            try (Connection bare = bareConnection(hub, kind)) {
                List<Workload> workloads = List.of(doorDay, doorDayAll, siteDay, member);
                // Warm every path first (JIT, the pools, the store's page cache), then measure.
                for (Workload workload : workloads) {
                    List<AccessQuery> warm = workload.take(Math.max(1_000, queries));
                    overHttp(hub, tenant, warm);
                    bare(bare, warm);
                }
                System.gc();
                System.out.printf("  load average before measuring: %s%n", loadAverage());
                System.out.printf(
                        "  %-44s %10s %10s %10s %7s %8s%n", "access-log query", "p50", "p99", "max", "n", "rows");
                Stats doorDayHttp = null;
                for (Workload workload : workloads) {
                    List<AccessQuery> measured = workload.take(queries);
                    Stats http = overHttp(hub, tenant, measured);
                    Stats raw = bare(bare, measured);
                    System.out.println(http.line(workload.label + ", HTTP"));
                    System.out.println(raw.line("  same SQL, bare JDBC"));
                    System.out.printf(
                            "  %-44s %9.1f× %9.1f×%n", "  ratio HTTP / bare", http.p50 / raw.p50, http.p99 / raw.p99);
                    if (workload == doorDay) {
                        doorDayHttp = http;
                    }
                }
                System.out.printf(
                        "  target: one door one day p99 ≤ %.0f ms: %s%n%n",
                        DOOR_DAY_TARGET_P99_MS, doorDayHttp.p99 / 1e6 <= DOOR_DAY_TARGET_P99_MS ? "met" : "NOT met");
                summary.add(String.format(
                        "  %-10s access log one door one day over HTTP: p50 %.2f ms, p99 %.2f ms, max %.2f ms"
                                + " (target p99 ≤ %.0f ms: %s)",
                        kind.label(),
                        doorDayHttp.p50 / 1e6,
                        doorDayHttp.p99 / 1e6,
                        doorDayHttp.max / 1e6,
                        DOOR_DAY_TARGET_P99_MS,
                        doorDayHttp.p99 / 1e6 <= DOOR_DAY_TARGET_P99_MS ? "met" : "NOT met"));
            }

            memberCreates(hub, tenant, kind);
            System.out.println();
        }
    }

    /** The tenant's sites, doors and devices, made through the API as an operator would. */
    record Layout(List<String> sites, List<String> doors, List<String> doorSites, List<String> devices) {}

    static Layout layout(TestHub hub, TestHub.Tenant tenant) {
        List<String> sites = new ArrayList<>();
        List<String> doors = new ArrayList<>();
        List<String> doorSites = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        for (int s = 0; s < SITES; s++) {
            String site = hub.create(
                    "/api/v1/sites",
                    tenant.token(),
                    "{\"name\":\"Site " + s + "\",\"address\":\"" + s + " Bench Street\",\"timeZone\":\"UTC\"}");
            sites.add(site);
            devices.add(hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"pi\"}"));
            for (int d = 0; d < DOORS_PER_SITE; d++) {
                doors.add(hub.create(
                        "/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Door " + s + "-" + d + "\"}"));
                doorSites.add(site);
            }
        }
        return new Layout(sites, doors, doorSites, devices);
    }

    /**
     * The events, in time order, day by day: a day's share of the total between 07:00 and 22:00 at a
     * random door, 94% granted (a member's card or QR), 6% denied (mostly unknown cards). Ids are
     * time-ordered like the edge's, so the primary key grows at its end as in production.
     */
    static final class Generator implements Iterator<AccessLogStore.Reported> {
        private static final DenyReason[] DENIALS = {
            DenyReason.UNKNOWN_CREDENTIAL,
            DenyReason.UNKNOWN_CREDENTIAL,
            DenyReason.UNKNOWN_CREDENTIAL,
            DenyReason.OUTSIDE_SCHEDULE,
            DenyReason.MEMBER_SUSPENDED,
            DenyReason.CREDENTIAL_EXPIRED
        };

        private final Layout layout;
        private final int total;
        private final String[] members;
        private final Random random = new Random(7);
        private long[] day = new long[0];
        private int inDay;
        private int dayIndex = -1;
        private int produced;

        Generator(Layout layout, int total, int members) {
            this.layout = layout;
            this.total = total;
            this.members = new String[members];
            for (int i = 0; i < members; i++) {
                this.members[i] = memberId(i);
            }
        }

        static String memberId(int i) {
            return String.format("mem_bench%06d", i);
        }

        @Override
        public boolean hasNext() {
            return produced < total;
        }

        @Override
        public AccessLogStore.Reported next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            while (inDay == day.length) {
                dayIndex++;
                int count = total / DAYS + (dayIndex == DAYS - 1 ? total % DAYS : 0);
                day = new long[count];
                long start = FIRST_DAY.toEpochMilli()
                        + dayIndex * DAY_MILLIS
                        + Duration.ofHours(7).toMillis();
                for (int i = 0; i < count; i++) {
                    day[i] = start
                            + (long) (random.nextDouble() * Duration.ofHours(15).toMillis());
                }
                Arrays.sort(day);
                inDay = 0;
            }
            long at = day[inDay++];
            produced++;
            int door = random.nextInt(layout.doors.size());
            String site = layout.doorSites.get(door);
            String device = layout.devices.get(door / DOORS_PER_SITE);
            String member = members[random.nextInt(members.length)];
            String id = "ev" + pad(Long.toString(at, 36), 9) + pad(Integer.toString(produced, 36), 5);
            AccessEvent event;
            if (random.nextInt(100) < 94) {
                boolean qr = random.nextInt(4) == 0;
                event = new AccessEvent(
                        site,
                        DoorId.of(layout.doors.get(door)),
                        qr ? PresentedKind.MEMBER_QR : PresentedKind.NFC_CARD,
                        Optional.empty(),
                        Optional.of(CredentialId.of("cred_" + member)),
                        Optional.of(MemberId.of(member)),
                        Optional.empty(),
                        true,
                        Optional.of(GrantBasis.MEMBER_GRANT),
                        Optional.empty(),
                        ClockStatus.TRUSTED);
            } else {
                DenyReason reason = DENIALS[random.nextInt(DENIALS.length)];
                boolean unknown = reason == DenyReason.UNKNOWN_CREDENTIAL;
                byte[] hash = new byte[32];
                random.nextBytes(hash);
                event = new AccessEvent(
                        site,
                        DoorId.of(layout.doors.get(door)),
                        PresentedKind.NFC_CARD,
                        unknown ? Optional.of(HexFormat.of().formatHex(hash)) : Optional.empty(),
                        unknown ? Optional.empty() : Optional.of(CredentialId.of("cred_" + member)),
                        unknown ? Optional.empty() : Optional.of(MemberId.of(member)),
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Optional.of(reason),
                        ClockStatus.TRUSTED);
            }
            return new AccessLogStore.Reported(site, device, new Envelope(id, Instant.ofEpochMilli(at), event));
        }

        private static String pad(String text, int width) {
            return "0".repeat(Math.max(0, width - text.length())) + text;
        }
    }

    /** A named stream of random queries. */
    private static final class Workload {
        final String label;
        private final IntFunction<AccessQuery> source;

        Workload(String label, IntFunction<AccessQuery> source) {
            this.label = label;
            this.source = source;
        }

        AccessQuery next(int i) {
            return source.apply(i);
        }

        List<AccessQuery> take(int n) {
            List<AccessQuery> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(source.apply(i));
            }
            return list;
        }
    }

    /** GET /api/v1/access-events with the query's filters, one request after another. */
    private Stats overHttp(TestHub hub, TestHub.Tenant tenant, List<AccessQuery> list) throws Exception {
        long[] samples = new long[list.size()];
        long rows = 0;
        for (int i = 0; i < list.size(); i++) {
            AccessQuery query = list.get(i);
            StringBuilder url = new StringBuilder(
                            "http://127.0.0.1:" + hub.hub().port() + "/api/v1/access-events?limit=")
                    .append(query.limit());
            query.siteId().ifPresent(v -> url.append("&siteId=").append(v));
            query.doorId().ifPresent(v -> url.append("&doorId=").append(v));
            query.memberId().ifPresent(v -> url.append("&memberId=").append(v));
            query.from().ifPresent(v -> url.append("&from=").append(encode(v)));
            query.until().ifPresent(v -> url.append("&until=").append(encode(v)));
            HttpRequest request = HttpRequest.newBuilder(URI.create(url.toString()))
                    .header("Authorization", "Bearer " + tenant.token())
                    .GET()
                    .build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            samples[i] = System.nanoTime() - t0;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET " + url + " answered " + response.statusCode() + " " + new String(response.body()));
            }
            rows += count(response.body());
        }
        return Stats.of(samples, rows);
    }

    /** The machine's 1, 5 and 15 minute load averages: on a shared machine, the context of every p99. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2] + " ("
                    + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String encode(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }

    /** Items in a page, counted without a JSON parser (each item has exactly one "id"). */
    private static long count(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        long n = 0;
        for (int at = text.indexOf("\"id\":"); at >= 0; at = text.indexOf("\"id\":", at + 1)) {
            n++;
        }
        return n;
    }

    /** The same SQL with the same values on a plain JDBC connection: the store's own cost. */
    private static Stats bare(Connection connection, List<AccessQuery> list) throws Exception {
        long[] samples = new long[list.size()];
        long rows = 0;
        for (int i = 0; i < list.size(); i++) {
            AccessQuery query = list.get(i);
            long t0 = System.nanoTime();
            try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
                query.bind(statement);
                try (ResultSet result = statement.executeQuery()) {
                    int n = 0;
                    while (result.next() && n < query.limit()) {
                        for (int c = 1; c <= 14; c++) {
                            result.getString(c);
                        }
                        n++;
                    }
                    rows += n;
                }
            }
            samples[i] = System.nanoTime() - t0;
        }
        return Stats.of(samples, rows);
    }

    static Connection bareConnection(TestHub hub, StoreKind kind) throws Exception {
        return switch (kind) {
            case SQLITE ->
                DriverManager.getConnection("jdbc:sqlite:" + hub.dataDir().resolve("hub.db"));
            case POSTGRESQL ->
                DriverManager.getConnection(hub.hub().config().store().jdbcUrl().orElseThrow());
        };
    }

    private static String size(TestHub hub, StoreKind kind) throws IOException {
        if (kind != StoreKind.SQLITE) {
            return "";
        }
        long bytes = 0;
        for (String name : List.of("hub.db", "hub.db-wal")) {
            Path file = hub.dataDir().resolve(name);
            if (Files.exists(file)) {
                bytes += Files.size(file);
            }
        }
        return String.format("; file %,.0f MB", bytes / 1e6);
    }

    /**
     * {@code --creates} members with one client, then {@code --creates} more with 4 concurrent
     * clients. The route is built in parallel with this benchmark; when it is not there, the
     * benchmark says so and goes on.
     */
    private void memberCreates(TestHub hub, TestHub.Tenant tenant, StoreKind kind) throws Exception {
        HttpResponse<String> probe;
        // In this build an unknown route reaches the hub's last-resort handler, which logs a stack
        // trace; the probe's answer says enough.
        Level level = PROBLEMS_LOG.getLevel();
        PROBLEMS_LOG.setLevel(Level.OFF);
        try {
            probe = createMember(hub, tenant, "probe");
        } finally {
            PROBLEMS_LOG.setLevel(level);
        }
        if (probe.statusCode() != 201) {
            String detail = probe.statusCode() == 404 || probe.statusCode() == 405
                    ? "route not present"
                    : "route not present or failing";
            System.out.println(
                    "  member create: " + detail + " (POST /api/v1/members answered " + probe.statusCode() + ")");
            summary.add(String.format("  %-10s member create: %s (%d)", kind.label(), detail, probe.statusCode()));
            return;
        }
        System.out.printf(
                "  %-44s %10s %10s %10s %7s %9s%n",
                "member create (POST /api/v1/members)", "p50", "p99", "max", "n", "creates/s");
        for (int clients : List.of(1, 4)) {
            // warm-up, then the measured run
            createMembers(hub, tenant, clients, Math.min(200, creates), "warm" + clients);
            long start = System.nanoTime();
            long[] samples = createMembers(hub, tenant, clients, creates, "c" + clients);
            double seconds = (System.nanoTime() - start) / 1e9;
            Stats stats = Stats.of(samples, 0);
            double rate = creates / seconds;
            System.out.println(stats.line(clients + (clients == 1 ? " client" : " concurrent clients"))
                    + String.format(" %9.0f", rate));
            String target = kind == StoreKind.SQLITE
                    ? String.format(
                            " (target ≥ %.0f/s on SQLite: %s)",
                            CREATE_TARGET_PER_SECOND, rate >= CREATE_TARGET_PER_SECOND ? "met" : "NOT met")
                    : "";
            summary.add(String.format(
                    "  %-10s member create, %d client%s: %.0f creates/s, p50 %.2f ms, p99 %.2f ms%s",
                    kind.label(), clients, clients == 1 ? "" : "s", rate, stats.p50 / 1e6, stats.p99 / 1e6, target));
        }
    }

    private long[] createMembers(TestHub hub, TestHub.Tenant tenant, int clients, int n, String tag) throws Exception {
        long[] samples = new long[n];
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int i = client; i < n; i += clients) {
                        long t0 = System.nanoTime();
                        HttpResponse<String> response = createMember(hub, tenant, tag + "-" + i);
                        samples[i] = System.nanoTime() - t0;
                        if (response.statusCode() != 201) {
                            throw new IllegalStateException(
                                    "POST /api/v1/members answered " + response.statusCode() + " " + response.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
        return samples;
    }

    private HttpResponse<String> createMember(TestHub hub, TestHub.Tenant tenant, String tag) throws Exception {
        String body = "{\"email\":\"bench-" + tag + "@example.com\",\"fullName\":\"Bench Member " + tag
                + "\",\"company\":\"Bench Ltd\"}";
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + hub.hub().port() + "/api/v1/members"))
                .header("Authorization", "Bearer " + tenant.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Polls every 2 ms until {@code condition} holds (at most 30 s); answers System.nanoTime() then. */
    static long until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nothing came within 30 s");
            }
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    record Stats(long count, double p50, double p99, double max, long rows) {
        static Stats of(long[] samples, long rows) {
            long[] sorted = samples.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return new Stats(
                    n, sorted[n / 2], sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)], sorted[n - 1], rows);
        }

        String line(String label) {
            return String.format(
                    "  %-44s %7.2f ms %7.2f ms %7.2f ms %7d%s",
                    label,
                    p50 / 1e6,
                    p99 / 1e6,
                    max / 1e6,
                    count,
                    rows > 0 ? String.format(" %8.0f", (double) rows / count) : "");
        }
    }
}
