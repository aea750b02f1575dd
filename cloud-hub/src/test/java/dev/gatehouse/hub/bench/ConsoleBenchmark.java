package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.console.Feed;
import dev.gatehouse.hub.console.Overview;
import dev.gatehouse.hub.members.MemberTerms;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.Tokens;
import dev.gatehouse.hub.testing.TestHub;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server time of the console's pages at scale, each beside the bare SQL of the same work, on SQLite
 * and PostgreSQL: a real hub ({@link TestHub}, HTTP on a free port) with {@code --members} members and
 * {@code --events} access events of one tenant (3 sites × 20 doors, 90 days), an owner signed in
 * through the sign-in form, and the pages fetched over HTTP with the session cookie:
 *
 * <ul>
 *   <li>the overview (people on site, doors by state, devices, denials today, the latest activity);
 *   <li>member search (a name or e-mail prefix);
 *   <li>the access log (one door, one day).
 * </ul>
 *
 * The hub's clock is set to the evening of the last loaded day (22:30 UTC, after its last event), so
 * "today" and "on site now" hold a busy day's events and nothing lies in the hub's future.
 *
 * <p>Per page over {@code --queries} requests after a warm-up: p50/p99/max of the server time the
 * page reports in its {@code Server-Timing} header (console filter to rendered page, so the session
 * read is in and the network is out), the bare JDBC time of the same statements on a plain
 * connection, the ratio of the two, and the HTTP round trip seen by this client for reference.
 *
 * <p>Run: {@code ./gatehouse bench console [--members 100000] [--events 1000000] [--queries 300]
 * [--stores sqlite,postgresql]}. The live feed's tap-to-screen latency in a real browser and the time
 * from an edge's death to the fleet page are measured by {@code ./gatehouse bench console-live}
 * ({@link ConsoleLiveBenchmark}). Not a test: nothing is asserted.
 */
public final class ConsoleBenchmark {
    private static final Instant NOW = HubBenchmark.FIRST_DAY
            .plus(Duration.ofDays(HubBenchmark.DAYS - 1))
            .plus(Duration.ofHours(22))
            .plus(Duration.ofMinutes(30));
    private static final double TARGET_P99_MS = 50;
    private static final double TARGET_RATIO = 3;
    private static final String PASSWORD = "console benchmark password";

    private final int members;
    private final int events;
    private final int queries;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> summary = new ArrayList<>();

    private final boolean threads;

    private ConsoleBenchmark(int members, int events, int queries, boolean threads) {
        this.members = members;
        this.events = events;
        this.queries = queries;
        this.threads = threads;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "--members", "100000",
                "--events", "1000000",
                "--queries", "300",
                "--stores", "sqlite,postgresql",
                "--threads", "off"));
        for (int i = 0; i < args.length; i++) {
            if (!options.containsKey(args[i]) || i + 1 == args.length) {
                System.err.println("usage: ./gatehouse bench console [--members 100000] [--events 1000000]"
                        + " [--queries 300] [--stores sqlite,postgresql] [--threads off|on]");
                System.exit(2);
            }
            options.put(args[i], args[++i]);
        }
        HubBenchmark.quietLogs();
        ConsoleBenchmark bench = new ConsoleBenchmark(
                Integer.parseInt(options.get("--members")),
                Integer.parseInt(options.get("--events")),
                Integer.parseInt(options.get("--queries")),
                options.get("--threads").equals("on"));
        System.out.printf(
                "Gatehouse console benchmark — %s %s, %d cores%n%,d members, %,d access events (%d sites × %d doors,"
                        + " %d days); hub clock %s%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                bench.members,
                bench.events,
                HubBenchmark.SITES,
                HubBenchmark.DOORS_PER_SITE,
                HubBenchmark.DAYS,
                NOW);
        for (String store : options.get("--stores").split(",")) {
            bench.run(StoreKind.valueOf(store.strip().toUpperCase(Locale.ROOT)));
        }
        System.out.println("== summary (targets: p99 ≤ " + (int) TARGET_P99_MS + " ms, ≤ " + (int) TARGET_RATIO
                + "× the bare SQL)");
        bench.summary.forEach(System.out::println);
    }

    private void run(StoreKind kind) throws Exception {
        try (TestHub hub = TestHub.start(kind, Clock.fixed(NOW, ZoneOffset.UTC), Optional.empty())) {
            TestHub.Tenant tenant = hub.newTenant("console-bench");
            HubBenchmark.Layout layout = HubBenchmark.layout(hub, tenant);
            System.out.printf("== %s (%s)%n", kind.label(), hub.hub().database().description());
            long start = System.nanoTime();
            try (Connection bare = HubBenchmark.bareConnection(hub, kind)) {
                loadMembers(bare, tenant.id());
            }
            hub.hub().stores().accessLog().bulkLoad(tenant.id(), new HubBenchmark.Generator(layout, events, members));
            System.out.printf("  loaded in %.1f s%n", (System.nanoTime() - start) / 1e9);
            accountId = hub.create(
                    "/api/v1/accounts",
                    tenant.token(),
                    "{\"email\":\"bench@console.example\",\"name\":\"Bench\",\"role\":\"owner\",\"password\":\""
                            + PASSWORD + "\"}");
            String base = "http://127.0.0.1:" + hub.hub().port();
            String cookie = signIn(base, tenant.slug());

            Random random = new Random(11);
            List<Page> pages = List.of(
                    new Page("overview", i -> "/console", i -> overviewBare(tenant.id(), layout)),
                    new Page(
                            "member search (name or e-mail prefix)", i -> "/console/members?q=" + prefix(random), null),
                    new Page("access log (one door, one day)", i -> accessLogPath(layout, random), null));
            try (Connection bare = HubBenchmark.bareConnection(hub, kind)) {
                warmUp(base, cookie, pages, bare, tenant.id(), layout, random);
                System.gc();
                System.out.printf("  load average before measuring: %s%n", HubBenchmark.loadAverage());
                System.out.printf("  %-44s %10s %10s %10s %7s%n", "page", "p50", "p99", "max", "n");
                for (Page page : pages) {
                    Result result = measure(base, cookie, page, queries, bare, tenant.id(), layout, random);
                    System.out.println(result.server.line(page.label + ", server time"));
                    System.out.println(result.bare.line("  same SQL, bare JDBC"));
                    double ratio = result.server.p99() / result.bare.p99();
                    System.out.printf(
                            "  %-44s %9.1f× %9.1f×%n",
                            "  ratio server / bare", result.server.p50() / result.bare.p50(), ratio);
                    System.out.println(result.http.line("  round trip over HTTP (for reference)"));
                    result.phases().forEach(phase -> System.out.println(phase.line()));
                    System.out.println(result.tail());
                    System.out.printf("    the JIT compiled for %d ms while these were measured%n", result.jitMillis());
                    summary.add(String.format(
                            "  %-10s %-38s p50 %6.2f ms  p99 %6.2f ms  bare p99 %6.2f ms  ratio %4.1f×  %s"
                                    + "  (HTTP round trip p99 %.2f ms)",
                            kind.label(),
                            page.label,
                            result.server.p50() / 1e6,
                            result.server.p99() / 1e6,
                            result.bare.p99() / 1e6,
                            ratio,
                            result.server.p99() / 1e6 <= TARGET_P99_MS && ratio <= TARGET_RATIO ? "met" : "NOT met",
                            result.http.p99() / 1e6));
                }
            }
            System.out.println();
        }
    }

    /** One page: its path per request, and the bare statements of the same work (null: derived below). */
    private record Page(String label, IntFunction<String> path, IntFunction<List<Statement>> bare) {}

    /** A statement run bare: SQL with its parameters, or an access-log query with its own binding. */
    private record Statement(String sql, List<Object> params, AccessQuery query) {
        Statement(String sql, List<Object> params) {
            this(sql, params, null);
        }

        Statement(AccessQuery query) {
            this(query.sql(), List.of(), query);
        }
    }

    /** Marks where the feed reads the names of the members the access query before it returned. */
    private static final Statement MEMBER_NAMES = new Statement(null, List.of(), null);

    private record Result(
            HubBenchmark.Stats server,
            HubBenchmark.Stats http,
            HubBenchmark.Stats bare,
            List<Phase> phases,
            String tail,
            long jitMillis) {}

    /** Where the server time went, from the page's own Server-Timing phases. */
    private record Phase(String name, HubBenchmark.Stats stats) {
        String line() {
            return stats.line("    server: " + name);
        }
    }

    /** The server phases reported by every page, in the order the console measures them. */
    private static final List<String> PHASES = List.of("session", "data", "render");

    /** The signed-in operator's account id (the console filter reads the account by it). */
    private String accountId;

    private Result measure(
            String base,
            String cookie,
            Page page,
            int n,
            Connection bare,
            String tenantId,
            HubBenchmark.Layout layout,
            Random random)
            throws Exception {
        long[] serverSamples = new long[n];
        long[] httpSamples = new long[n];
        long[] bareSamples = new long[n];
        long[][] phaseSamples = new long[PHASES.size()][n];
        boolean[] collected = new boolean[n];
        Schedstat.Delta[] scheduled = new Schedstat.Delta[n];
        long jitBefore = jitMillis();
        for (int i = 0; i < n; i++) {
            String path = page.path.apply(i);
            long gcBefore = collections();
            Optional<Schedstat> before = threads ? Optional.of(Schedstat.now()) : Optional.empty();
            long t0 = System.nanoTime();
            Fetched response = fetch(base + path, cookie);
            httpSamples[i] = System.nanoTime() - t0;
            scheduled[i] = before.map(b -> Schedstat.now().since(b)).orElse(Schedstat.Delta.NONE);
            collected[i] = collections() != gcBefore;
            if (response.status() != 200) {
                throw new IllegalStateException(path + " answered " + response.status());
            }
            serverSamples[i] = serverTime(path, response.serverTiming(), "app");
            for (int p = 0; p < PHASES.size(); p++) {
                phaseSamples[p][i] = serverTime(path, response.serverTiming(), PHASES.get(p));
            }
            List<Statement> statements = new ArrayList<>(session(cookie, tenantId));
            statements.addAll(page.bare != null ? page.bare.apply(i) : bareFor(path, tenantId, layout));
            long b0 = System.nanoTime();
            List<String> memberIds = List.of();
            for (Statement statement : statements) {
                if (statement.sql() == null) {
                    // the feed's names of the members the log query before it returned, in one read
                    if (!memberIds.isEmpty()) {
                        List<Object> params = new ArrayList<>();
                        params.add(tenantId);
                        params.addAll(memberIds);
                        run(bare, new Statement(Feed.memberNamesSql(memberIds.size()), params));
                    }
                    continue;
                }
                List<String> ids = run(bare, statement);
                if (statement.query() != null) {
                    memberIds = ids;
                }
            }
            bareSamples[i] = System.nanoTime() - b0;
        }
        List<Phase> phases = new ArrayList<>();
        for (int p = 0; p < PHASES.size(); p++) {
            phases.add(new Phase(PHASES.get(p), HubBenchmark.Stats.of(phaseSamples[p], 0)));
        }
        return new Result(
                HubBenchmark.Stats.of(serverSamples, 0),
                HubBenchmark.Stats.of(httpSamples, 0),
                HubBenchmark.Stats.of(bareSamples, 0),
                phases,
                tail(serverSamples, httpSamples, phaseSamples, collected, threads ? scheduled : null),
                jitMillis() - jitBefore);
    }

    /**
     * The slowest 1 % of the server times (the requests that set the p99 and above) taken apart: their
     * mean per phase, and how many had a garbage collection of this JVM (hub and client) during them.
     */
    private static String tail(
            long[] server, long[] http, long[][] phases, boolean[] collected, Schedstat.Delta[] scheduled) {
        int n = server.length;
        int slow = Math.max(1, n - ((int) Math.ceil(n * 0.99) - 1));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(server[b], server[a]));
        StringBuilder line = new StringBuilder(String.format("    slowest %d: mean", slow));
        for (int p = 0; p < phases.length; p++) {
            double sum = 0;
            for (int k = 0; k < slow; k++) {
                sum += phases[p][order[k]];
            }
            line.append(String.format(" %s %.2f ms", PHASES.get(p), sum / slow / 1e6));
        }
        int slowCollected = 0;
        int allCollected = 0;
        for (int k = 0; k < n; k++) {
            if (collected[order[k]]) {
                allCollected++;
                if (k < slow) {
                    slowCollected++;
                }
            }
        }
        line.append(String.format("; a GC during %d of them (%d of all %d requests)", slowCollected, allCollected, n));
        if (scheduled == null) {
            return line.toString();
        }
        line.append('\n');
        line.append(scheduling("slowest", java.util.Arrays.copyOfRange(order, 0, slow), http, scheduled));
        line.append('\n');
        line.append(scheduling("all", order, http, scheduled));
        return line.toString();
    }

    /**
     * For these requests, mean round trip, this JVM's time on a core (hub and client, by kind of thread)
     * and its threads' time waiting for a core that the machine's other processes held.
     */
    private static String scheduling(String label, Integer[] requests, long[] http, Schedstat.Delta[] scheduled) {
        double wall = 0;
        double cpu = 0;
        double waiting = 0;
        Map<String, Double> byKind = new java.util.TreeMap<>();
        for (int i : requests) {
            wall += http[i];
            cpu += scheduled[i].cpu();
            waiting += scheduled[i].waiting();
            scheduled[i].cpuByKind().forEach((kind, ns) -> byKind.merge(kind, (double) ns, Double::sum));
        }
        int n = requests.length;
        StringBuilder line = new StringBuilder(String.format(
                "    %s: round trip %.2f ms, JVM on a core %.2f ms, its threads waiting for a core %.2f ms; on a core:",
                label, wall / n / 1e6, cpu / n / 1e6, waiting / n / 1e6));
        byKind.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(6)
                .forEach(e -> line.append(String.format(" %s %.2f", e.getKey(), e.getValue() / n / 1e6)));
        return line.toString();
    }

    /**
     * Fetches every page {@code max(200, queries / 2)} times, again while the JIT compiled for more
     * than 2 % of a round (at most 10 rounds): on two shared cores a compiler thread still at work
     * takes a core from the page being measured, which a hub that has run for a while does not see.
     */
    private void warmUp(
            String base,
            String cookie,
            List<Page> pages,
            Connection bare,
            String tenantId,
            HubBenchmark.Layout layout,
            Random random)
            throws Exception {
        for (int round = 1; round <= 10; round++) {
            long jit = jitMillis();
            long started = System.nanoTime();
            for (Page page : pages) {
                measure(base, cookie, page, Math.max(200, queries / 2), bare, tenantId, layout, random);
            }
            double millis = (System.nanoTime() - started) / 1e6;
            long compiled = jitMillis() - jit;
            System.out.printf(
                    "  warm-up round %d: %.1f s, the JIT compiled for %d ms%n", round, millis / 1e3, compiled);
            if (compiled < millis / 50) {
                return;
            }
        }
    }

    /** Milliseconds this JVM's JIT compilers have spent so far. */
    private static long jitMillis() {
        return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** Garbage collections of this JVM so far, over all its collectors. */
    private static long collections() {
        long count = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private record Fetched(int status, String serverTiming) {}

    /**
     * One GET on a kept-alive connection with the JDK's plain blocking client: between requests it
     * runs no thread of its own, so the measuring side takes no CPU from the hub (they share this
     * JVM and the machine's cores) while a page is being served.
     */
    private static Fetched fetch(String url, String cookie) throws Exception {
        HttpURLConnection connection =
                (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setRequestProperty("Cookie", cookie);
        int status = connection.getResponseCode();
        try (var in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (in != null) {
                in.readAllBytes(); // read to the end so the connection is kept alive for the next
            }
        }
        return new Fetched(
                status,
                Optional.ofNullable(connection.getHeaderField("Server-Timing")).orElse(""));
    }

    /** One metric of the page's {@code Server-Timing} header ({@code app}: the whole), in nanoseconds. */
    private static long serverTime(String path, String header, String metric) {
        Matcher matcher =
                Pattern.compile("(?:^|, )" + metric + ";dur=([0-9.]+)").matcher(header);
        if (!matcher.find()) {
            throw new IllegalStateException(
                    path + " sent no " + metric + " in its Server-Timing header (got '" + header + "')");
        }
        return Math.round(Double.parseDouble(matcher.group(1)) * 1e6);
    }

    /** The statements the overview runs, per site and door, and the latest activity. */
    private static List<Statement> overviewBare(String tenantId, HubBenchmark.Layout layout) {
        List<Statement> statements = new ArrayList<>();
        long now = NOW.toEpochMilli();
        long midnight = NOW.truncatedTo(java.time.temporal.ChronoUnit.DAYS).toEpochMilli();
        statements.add(new Statement(
                "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id", List.of(tenantId)));
        for (int s = 0; s < layout.sites().size(); s++) {
            String site = layout.sites().get(s);
            statements.add(new Statement(
                    Overview.PEOPLE_SQL,
                    List.of(tenantId, site, now - Duration.ofHours(8).toMillis(), now, true)));
            statements.add(new Statement(Overview.DEVICES_SQL, List.of(tenantId, site)));
            statements.add(new Statement(Overview.DENIALS_SQL, List.of(tenantId, site, midnight, now, false)));
            statements.add(new Statement(Overview.DOORS_SQL, List.of(tenantId, site)));
            statements.add(new Statement(Overview.CONDITIONS_SQL, List.of(tenantId, site)));
            for (int d = 0; d < layout.doors().size(); d++) {
                if (layout.doorSites().get(d).equals(site)) {
                    statements.add(new Statement(
                            Overview.LAST_GRANT_SQL,
                            List.of(tenantId, layout.doors().get(d), true)));
                }
            }
        }
        statements.add(new Statement(AccessQuery.of(tenantId).limit(25)));
        return statements;
    }

    private static final Pattern QUERY = Pattern.compile("[?&]([a-z]+)=([^&]*)");

    /** Bare statements for the member search and the access log, read back from the page's query string. */
    private static List<Statement> bareFor(String path, String tenantId, HubBenchmark.Layout layout) {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher matcher = QUERY.matcher(path);
        while (matcher.find()) {
            params.put(matcher.group(1), java.net.URLDecoder.decode(matcher.group(2), StandardCharsets.UTF_8));
        }
        if (path.startsWith("/console/members")) {
            // MemberStore.search's statement: the terms' and the card labels' index ranges.
            String prefix = params.get("q").toLowerCase(Locale.ROOT);
            String upper = prefix + Character.MAX_VALUE;
            return List.of(new Statement(
                    "SELECT id, email, full_name, phone, company, status, roles, created_at, updated_at FROM members"
                            + " WHERE tenant_id = ? AND id IN (SELECT member_id FROM member_terms WHERE tenant_id = ?"
                            + " AND term >= ? AND term < ? AND term LIKE ? ESCAPE '\\' UNION SELECT member_id FROM"
                            + " credentials WHERE tenant_id = ? AND LOWER(label) >= ? AND LOWER(label) < ?"
                            + " AND LOWER(label) LIKE ? ESCAPE '\\') ORDER BY created_at, id LIMIT 51",
                    List.of(tenantId, tenantId, prefix, upper, prefix + "%", tenantId, prefix, upper, prefix + "%")));
        }
        long day = Long.parseLong(params.get("benchday"));
        List<Statement> statements = new ArrayList<>();
        statements.add(new Statement(AccessQuery.of(tenantId)
                .door(params.get("door"))
                .between(Instant.ofEpochMilli(day), Instant.ofEpochMilli(day + HubBenchmark.DAY_MILLIS))));
        // The page's filter lists: the tenant's sites and doors with their names.
        statements.add(new Statement(
                "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id", List.of(tenantId)));
        statements.add(new Statement(
                "SELECT d.id, d.name, d.site_id, s.name FROM doors d JOIN sites s ON s.id = d.site_id"
                        + " AND s.tenant_id = d.tenant_id WHERE d.tenant_id = ? ORDER BY s.name, d.name, d.id",
                List.of(tenantId)));
        // The rows' places and names (the live feed's Feed): sites, doors, then the members in one read.
        statements.add(new Statement("SELECT id, name, time_zone FROM sites WHERE tenant_id = ?", List.of(tenantId)));
        statements.add(new Statement("SELECT id, name, site_id FROM doors WHERE tenant_id = ?", List.of(tenantId)));
        statements.add(MEMBER_NAMES);
        return statements;
    }

    private static String accessLogPath(HubBenchmark.Layout layout, Random random) {
        String door = layout.doors().get(random.nextInt(layout.doors().size()));
        long day = HubBenchmark.FIRST_DAY.toEpochMilli() + random.nextInt(HubBenchmark.DAYS) * HubBenchmark.DAY_MILLIS;
        Instant from = Instant.ofEpochMilli(day);
        return "/console/access-log?door=" + door + "&from=" + from.toString().substring(0, 16) + "&to="
                + from.plus(Duration.ofDays(1)).toString().substring(0, 16) + "&benchday=" + day;
    }

    private static String prefix(Random random) {
        // Names are "Member <n> Surname<k>": a word prefix matches a few hundred, an e-mail prefix one.
        return random.nextBoolean() ? "surname" + random.nextInt(100) : "m" + random.nextInt(99_999);
    }

    /**
     * What every console page reads before its own work: the session by its cookie's hash, the
     * operator's account and the tenant (the console filter's three point reads).
     */
    private List<Statement> session(String cookie, String tenantId) {
        long now = NOW.toEpochMilli();
        String value = cookie.substring(cookie.indexOf('=') + 1);
        return List.of(
                new Statement(
                        "SELECT id_hash, tenant_id, kind, principal_id, csrf_token, second_factor_due, created_at,"
                                + " last_seen_at FROM web_sessions WHERE id_hash = ? AND expires_at > ? AND last_seen_at > ?",
                        List.of(
                                Tokens.hash(value),
                                now,
                                now - Duration.ofHours(12).toMillis())),
                new Statement(
                        "SELECT id, tenant_id, email, name, role, site_ids, status, totp_secret, created_at, updated_at"
                                + " FROM operator_accounts WHERE tenant_id = ? AND id = ?",
                        List.of(tenantId, accountId)),
                new Statement(
                        "SELECT id, slug, name, primary_color, accent_color, logo_url, created_at, updated_at"
                                + " FROM tenants WHERE id = ?",
                        List.of(tenantId)));
    }

    /** Runs the statement and reads every row and column; for an access-log query, answers the rows' member ids. */
    private static List<String> run(Connection c, Statement statement) throws Exception {
        try (PreparedStatement prepared = c.prepareStatement(statement.sql())) {
            if (statement.query() != null) {
                statement.query().bind(prepared);
            }
            for (int i = 0; i < statement.params().size(); i++) {
                Object value = statement.params().get(i);
                if (value instanceof Instant instant) {
                    prepared.setLong(i + 1, instant.toEpochMilli());
                } else {
                    prepared.setObject(i + 1, value);
                }
            }
            List<String> memberIds = new ArrayList<>();
            try (ResultSet rows = prepared.executeQuery()) {
                // Every column the statement selects is read, as the hub reads them (and as the hub
                // bench's bare side does): SQLite decodes a row's columns only when they are asked for.
                int columns = rows.getMetaData().getColumnCount();
                while (rows.next()) {
                    for (int column = 1; column <= columns; column++) {
                        rows.getObject(column);
                    }
                    if (statement.query() != null) {
                        String member = rows.getString("member_id");
                        if (member != null && !memberIds.contains(member)) {
                            memberIds.add(member);
                        }
                    }
                }
            }
            return memberIds;
        }
    }

    /** {@code --members} members with the ids the event generator uses, in batches of 1,000. */
    private void loadMembers(Connection c, String tenantId) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO members (id, tenant_id, email, full_name, phone,"
                        + " company, status, roles, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, NULL, 'ACTIVE', '[]', ?, ?)")) {
            long created = HubBenchmark.FIRST_DAY.toEpochMilli();
            List<MemberTerms.Row> terms = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                insert.setString(1, HubBenchmark.Generator.memberId(i));
                insert.setString(2, tenantId);
                insert.setString(3, "m" + i + "@members.example");
                insert.setString(4, "Member " + i + " Surname" + (i % 100));
                insert.setLong(5, created + i);
                insert.setLong(6, created + i);
                insert.addBatch();
                terms.add(new MemberTerms.Row(
                        tenantId,
                        HubBenchmark.Generator.memberId(i),
                        "m" + i + "@members.example",
                        "Member " + i + " Surname" + (i % 100)));
                if (i % 1_000 == 999) {
                    insert.executeBatch();
                    MemberTerms.insert(c, terms);
                    terms.clear();
                }
            }
            insert.executeBatch();
            MemberTerms.insert(c, terms);
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** Signs in through the form as a browser does: the pre-session cookie, then the session cookie. */
    private String signIn(String base, String slug) throws Exception {
        HttpResponse<String> form = http.send(
                HttpRequest.newBuilder(URI.create(base + "/signin")).build(), HttpResponse.BodyHandlers.ofString());
        String pre = cookie(form, "gh_presession");
        String body = "_csrf=" + pre + "&workspace=" + slug + "&email="
                + URLEncoder.encode("bench@console.example", StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&next=/console";
        HttpResponse<String> signedIn = http.send(
                HttpRequest.newBuilder(URI.create(base + "/signin"))
                        .header("Cookie", "gh_presession=" + pre)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (signedIn.statusCode() != 303) {
            throw new IllegalStateException("sign-in answered " + signedIn.statusCode() + ": " + signedIn.body());
        }
        return "gh_session=" + cookie(signedIn, "gh_session");
    }

    private static String cookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("set-cookie").stream()
                .filter(header -> header.startsWith(name + "="))
                .map(header -> header.substring(name.length() + 1, header.indexOf(';')))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " cookie"));
    }
}
