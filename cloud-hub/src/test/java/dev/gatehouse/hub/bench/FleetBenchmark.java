package dev.gatehouse.hub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MosquittoBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * {@code ./gatehouse bench fleet}: a fleet of simulated edges — by default 100 tenants × 50 sites,
 * one edge each, 5,000 real MQTT connections — against the hub as the product runs it, in its own
 * JVM (SQLite) on an external Mosquitto of the benchmark's own (password file and ACL, accounts kept
 * by the "operator", here the benchmark). The edges ({@link FleetEdge}) run in several JVMs of their
 * own ({@link FleetEdges}), each on HiveMQ's asynchronous MQTT client.
 *
 * <p>Phases: provisioning through the API; connecting (every edge gets its site's snapshot); then,
 * each for {@code --duration}: the heartbeats alone (idle), member changes alone, events alone, and the
 * steady mix of both; revocations (one tenant's member suspended or reinstated, reaching that
 * tenant's 50 sites) are timed in the changes and the mixed phases, from the API call to each edge
 * applying the verified batch. The hub's CPU time (from {@code /proc/<pid>/stat}) is read around each
 * phase: per change, per event. Then the regional outage: every edge disconnects, queues {@code
 * --catchup-events} events (one in twenty twice), and all reconnect at once; the time until every
 * event is stored and acknowledged, beside the broker's bare throughput for the same number of
 * messages of the same size in the same run, and the ratio. Last the store is counted: exactly once.
 */
public final class FleetBenchmark {
    /** The options, with the sizes as defaults. */
    record Options(
            int tenants,
            int sitesPerTenant,
            int processes,
            double eventRate,
            double changeRate,
            Duration duration,
            Duration revocationEvery,
            int catchupEvents,
            int window,
            String edgeHeap) {
        static Options defaults() {
            return new Options(100, 50, 4, 200, 2, Duration.ofSeconds(30), Duration.ofSeconds(2), 1000, 32, "768m");
        }

        int edges() {
            return tenants * sitesPerTenant;
        }
    }

    /** What the test checks: counts, not times. */
    record Result(
            int edges,
            int revocationRounds,
            int revocationRoundsComplete,
            long emitted,
            long stored,
            long acked,
            long duplicatesSent,
            long problems,
            long rejected,
            long bareReceived,
            long bareExpected) {}

    private final Options options;
    private final Path dir;
    private HubProcess hub;
    private Api api;
    private MosquittoBroker broker;
    private final List<EdgeProcess> processes = new ArrayList<>();
    private final Map<String, Round> rounds = new ConcurrentHashMap<>();
    private final List<Round> allRounds = Collections.synchronizedList(new ArrayList<>());
    private final List<Tenant> tenants = Collections.synchronizedList(new ArrayList<>());

    private FleetBenchmark(Options options, Path dir) {
        this.options = options;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.defaults();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--tenants" -> o = withInt(o, "tenants", value);
                case "--sites-per-tenant" -> o = withInt(o, "sites", value);
                case "--processes" -> o = withInt(o, "processes", value);
                case "--rate" ->
                    o = new Options(
                            o.tenants(),
                            o.sitesPerTenant(),
                            o.processes(),
                            Double.parseDouble(value),
                            o.changeRate(),
                            o.duration(),
                            o.revocationEvery(),
                            o.catchupEvents(),
                            o.window(),
                            o.edgeHeap());
                case "--changes" ->
                    o = new Options(
                            o.tenants(),
                            o.sitesPerTenant(),
                            o.processes(),
                            o.eventRate(),
                            Double.parseDouble(value),
                            o.duration(),
                            o.revocationEvery(),
                            o.catchupEvents(),
                            o.window(),
                            o.edgeHeap());
                case "--duration" ->
                    o = new Options(
                            o.tenants(),
                            o.sitesPerTenant(),
                            o.processes(),
                            o.eventRate(),
                            o.changeRate(),
                            seconds(value),
                            o.revocationEvery(),
                            o.catchupEvents(),
                            o.window(),
                            o.edgeHeap());
                case "--revocation-every" ->
                    o = new Options(
                            o.tenants(),
                            o.sitesPerTenant(),
                            o.processes(),
                            o.eventRate(),
                            o.changeRate(),
                            o.duration(),
                            seconds(value),
                            o.catchupEvents(),
                            o.window(),
                            o.edgeHeap());
                case "--catchup-events" -> o = withInt(o, "catchup", value);
                case "--window" -> o = withInt(o, "window", value);
                case "--edge-heap" ->
                    o = new Options(
                            o.tenants(),
                            o.sitesPerTenant(),
                            o.processes(),
                            o.eventRate(),
                            o.changeRate(),
                            o.duration(),
                            o.revocationEvery(),
                            o.catchupEvents(),
                            o.window(),
                            value);
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        run(o);
    }

    private static Options withInt(Options o, String which, String text) {
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return usage("'" + text + "' is not a whole number");
        }
        if (v < 1 && !which.equals("catchup")) {
            return usage(which + " must be at least 1");
        }
        return new Options(
                which.equals("tenants") ? v : o.tenants(),
                which.equals("sites") ? v : o.sitesPerTenant(),
                which.equals("processes") ? v : o.processes(),
                o.eventRate(),
                o.changeRate(),
                o.duration(),
                o.revocationEvery(),
                which.equals("catchup") ? v : o.catchupEvents(),
                which.equals("window") ? v : o.window(),
                o.edgeHeap());
    }

    private static Duration seconds(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
        } catch (NumberFormatException e) {
            return usage("'" + text + "' is not a duration (30s, 2m, 500ms)");
        }
    }

    private static <T> T usage(String problem) {
        System.err.println("bench fleet: " + problem);
        System.err.println("usage: bench fleet [--tenants 100] [--sites-per-tenant 50] [--processes 4]"
                + " [--rate EVENTS_PER_S] [--changes CHANGES_PER_S] [--duration 30s] [--revocation-every 2s]"
                + " [--catchup-events 1000] [--window 32] [--edge-heap 768m]");
        System.exit(2);
        throw new IllegalStateException();
    }

    /** Runs the whole benchmark, printing as it goes; answers the counts. */
    static Result run(Options options) throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-bench-fleet");
        FleetBenchmark bench = new FleetBenchmark(options, dir);
        try {
            return bench.runIn();
        } finally {
            bench.close();
        }
    }

    private Result runIn() throws Exception {
        int edges = options.edges();
        say(
                "fleet benchmark: %d tenants x %d sites = %d edges in %d processes; %d cores; load %s",
                options.tenants(),
                options.sitesPerTenant(),
                edges,
                options.processes(),
                Runtime.getRuntime().availableProcessors(),
                loadAverage());
        String hubPassword =
                "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        broker = MosquittoBroker.start(
                dir.resolve("broker"),
                "gatehouse-hub",
                hubPassword,
                "max_connections -1\nmax_queued_messages 1000000\nmax_inflight_messages 1000\n");
        hub = HubProcess.startExternal(dir.resolve("hub"), List.of("-Xmx1g"), broker.url(), hubPassword);
        api = new Api(hub.httpPort);
        say("hub in its own JVM (-Xmx1g, SQLite) on Mosquitto %s of its own (password file, ACL)", mosquittoVersion());

        long start = System.nanoTime();
        provision();
        say(
                "provisioned %d tenants, %d sites and devices through the API in %.1f s",
                tenants.size(), edges, seconds(start));
        Map<String, String> accounts = new LinkedHashMap<>();
        tenants.forEach(t -> t.edges.forEach(e -> accounts.put(e.device, e.password)));
        broker.addUsers(accounts);

        startProcesses();
        List<String> watched = tenants.stream().map(t -> t.watched).toList();
        for (int from = 0; from < watched.size(); from += 200) {
            broadcast(
                    "watch " + String.join(" ", watched.subList(from, Math.min(watched.size(), from + 200))),
                    "watching");
        }
        start = System.nanoTime();
        List<String> connected = broadcast("connect", "connected");
        List<String> synced = awaitAll("synced", Duration.ofMinutes(10));
        say(
                "connect: %d edges connected in %.1f s, every one synced (snapshot verified) in %.1f s; load %s",
                edges, (last(connected, 2) - start) / 1e9, (last(synced, 1) - start) / 1e9, loadAverage());

        List<Long> perEdge = Collections.synchronizedList(new ArrayList<>());
        List<Long> perChange = Collections.synchronizedList(new ArrayList<>());
        Phase idle = phase("idle (heartbeats only)", false, false, perEdge, perChange);
        Phase changes = phase("member changes only", true, false, perEdge, perChange);
        List<Long> mixedEdge = Collections.synchronizedList(new ArrayList<>());
        List<Long> mixedChange = Collections.synchronizedList(new ArrayList<>());
        Phase events = phase("events only", false, true, perEdge, perChange);
        Phase mixed = phase("steady mix", true, true, mixedEdge, mixedChange);
        double idleCpuPerSecond = idle.cpuMicros / idle.seconds;
        say(
                "hub CPU idle with %d edges connected: %.1f ms/s (%d sync.request heartbeats/s)",
                edges, idleCpuPerSecond / 1000, edges / 30);
        say(
                "hub CPU per member change (%d sites each): %.0f us gross, %.0f us over idle; %.0f us per site batch",
                options.sitesPerTenant(),
                changes.cpuMicros / changes.changes,
                (changes.cpuMicros - idleCpuPerSecond * changes.seconds) / changes.changes,
                (changes.cpuMicros - idleCpuPerSecond * changes.seconds) / changes.changes / options.sitesPerTenant());
        say(
                "hub CPU per event stored and acknowledged: %.0f us gross, %.0f us over idle",
                events.cpuMicros / events.events,
                (events.cpuMicros - idleCpuPerSecond * events.seconds) / events.events);
        say(
                "steady mix: %.1f changes/s (x %d sites), %.0f events/s; hub CPU %.0f ms/s (%.0f %% of one core)",
                mixed.changes / mixed.seconds,
                options.sitesPerTenant(),
                mixed.events / mixed.seconds,
                mixed.cpuMicros / mixed.seconds / 1000,
                mixed.cpuMicros / mixed.seconds / 10_000);
        print(
                "revocation under the steady mix, each of the tenant's edges",
                mixedEdge,
                "API call -> batch verified and applied at each edge");
        print(
                "revocation under the steady mix, all of the tenant's " + options.sitesPerTenant() + " sites",
                mixedChange,
                "API call -> the last of the tenant's edges applied it");
        print("revocation, member changes only, each edge", perEdge, "same, without the events");
        print("revocation, member changes only, all sites", perChange, "same, the last edge of each change");

        // The regional outage.
        broadcast("outage", "down");
        List<String> queued = broadcast("queue " + options.catchupEvents() + " 20", "queued");
        long copies = queued.stream()
                .mapToLong(line -> Long.parseLong(line.split(" ")[1]))
                .sum();
        long catchupEvents = (long) edges * options.catchupEvents();
        long cpuBefore = hub.cpuTicks();
        String loadBefore = loadAverage();
        start = System.nanoTime();
        long timeout = Math.max(600, catchupEvents / 200);
        List<String> reconnected = broadcast("reconnect " + timeout, "reconnected");
        List<String> drained = awaitAll("drained", Duration.ofSeconds(timeout + 60));
        double catchup = (last(drained, 1) - start) / 1e9;
        double catchupCpu = (hub.cpuTicks() - cpuBefore) * 10_000.0;
        say(
                "catch-up after an outage: %d edges reconnected at once in %.1f s (%,d connects tried again after"
                        + " the agent's backoff); %,d events (+%,d copies sent twice)"
                        + " stored and acknowledged in %.1f s: %,.0f events/s; hub CPU %.0f us/event; load %s -> %s",
                edges,
                (last(reconnected, 1) - start) / 1e9,
                reconnected.stream()
                        .mapToLong(line -> Long.parseLong(line.split(" ")[2]))
                        .sum(),
                catchupEvents,
                copies,
                catchup,
                catchupEvents / catchup,
                catchupCpu / catchupEvents,
                loadBefore,
                loadAverage());

        // The broker alone, the same number of messages of the same size from the same connections.
        long bareExpected = catchupEvents + copies;
        long bareReceived = 0;
        double bare = Double.NaN;
        if (options.catchupEvents() > 0) {
            long[] received = new long[1];
            bare = bare((int) (bareExpected / edges), received);
            bareReceived = received[0];
            say(
                    "bare Mosquitto, same connections, %,d messages of an event's size, window %d, one plain"
                            + " subscriber: %,.0f messages/s",
                    bareReceived, options.window(), bare);
            say(
                    "ratio catch-up / bare broker: %.0f %% (catch-up %,.0f events/s, bare %,.0f messages/s)",
                    100 * (catchupEvents / catchup) / bare, catchupEvents / catchup, bare);
        }

        // Exactly once.
        long[] sums = new long[10];
        for (String line : broadcast("counts", "counts")) {
            String[] f = line.split(" ");
            for (int i = 0; i < sums.length; i++) {
                sums[i] += Long.parseLong(f[i + 1]);
            }
        }
        long stored = storedEvents();
        say(
                "exactly once: %,d events emitted (%,d copies queued twice, %,d sent again after the ack timeout),"
                        + " %,d acknowledged, store holds %,d (%s); %,d batches received, %d gaps asked again, %d messages"
                        + " rejected",
                sums[0],
                sums[8],
                sums[2],
                sums[3],
                stored,
                stored == sums[0] ? "every one once" : "MISMATCH",
                sums[5],
                sums[6],
                sums[7]);
        int complete =
                (int) allRounds.stream().filter(r -> r.latch.getCount() == 0).count();
        return new Result(
                edges,
                allRounds.size(),
                complete,
                sums[0],
                stored,
                sums[3],
                sums[8] + sums[2],
                sums[9],
                sums[7],
                bareReceived,
                options.catchupEvents() > 0 ? bareExpected : 0);
    }

    /** One tenant: its token, the member whose revocations are timed, two more for the background changes. */
    private record Tenant(String slug, String token, String watched, List<String> others, List<EdgeSpec> edges) {}

    private record EdgeSpec(String tenant, String site, String device, String password, String keys) {}

    private void provision() throws Exception {
        String admin = hub.adminToken();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Tenant>> made = new ArrayList<>();
        for (int t = 0; t < options.tenants(); t++) {
            int number = t;
            made.add(pool.submit(() -> tenant(admin, number)));
        }
        for (Future<Tenant> tenant : made) {
            tenants.add(tenant.get(30, TimeUnit.MINUTES));
        }
        pool.shutdown();
    }

    private Tenant tenant(String admin, int number) throws IOException {
        String slug = "fleet-" + number;
        String token = call(
                        "POST",
                        "/api/v1/tenants",
                        admin,
                        "{\"slug\":\"" + slug + "\",\"name\":\"Fleet " + number + "\"}")
                .get("token")
                .asText();
        List<String> members = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            members.add(call(
                            "POST",
                            "/api/v1/members",
                            token,
                            "{\"email\":\"m" + m + "@fleet" + number + ".example\",\"fullName\":\"Member " + m + "\"}")
                    .get("id")
                    .asText());
        }
        List<EdgeSpec> edges = new ArrayList<>();
        for (int s = 0; s < options.sitesPerTenant(); s++) {
            String site = call(
                            "POST",
                            "/api/v1/sites",
                            token,
                            "{\"name\":\"Site " + s + "\",\"address\":\"" + s + " Fleet St\",\"timeZone\":\"UTC\"}")
                    .get("id")
                    .asText();
            String device = call("POST", "/api/v1/sites/" + site + "/devices", token, "{\"name\":\"Edge " + s + "\"}")
                    .get("id")
                    .asText();
            JsonNode bundle = call("POST", "/api/v1/devices/" + device + "/provision", token, "");
            edges.add(new EdgeSpec(
                    bundle.get("tenant").asText(),
                    site,
                    device,
                    bundle.at("/mqtt/password").asText(),
                    bundle.get("trustedKeys").toString()));
        }
        return new Tenant(slug, token, members.get(0), members.subList(1, 3), edges);
    }

    /** One JVM of edges, its commands in, its answers out. */
    private static final class EdgeProcess {
        final Process process;
        final PrintWriter in;
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

        EdgeProcess(Process process) {
            this.process = process;
            this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        }
    }

    private void startProcesses() throws IOException {
        List<StringBuilder> specs = new ArrayList<>();
        for (int p = 0; p < options.processes(); p++) {
            specs.add(new StringBuilder());
        }
        // Each tenant's edges spread over every process.
        int i = 0;
        for (Tenant tenant : tenants) {
            for (EdgeSpec edge : tenant.edges) {
                specs.get(i++ % specs.size())
                        .append(String.join("\t", edge.tenant, edge.site, edge.device, edge.password, edge.keys))
                        .append('\n');
            }
        }
        URI broker = URI.create(this.broker.url());
        for (int p = 0; p < specs.size(); p++) {
            Path spec = Files.writeString(dir.resolve("edges-" + p + ".tsv"), specs.get(p));
            Process process = new ProcessBuilder(
                            ProcessHandle.current().info().command().orElse("java"),
                            "-Xmx" + options.edgeHeap(),
                            "-XX:+UseSerialGC",
                            "-cp",
                            System.getProperty("java.class.path"),
                            FleetEdges.class.getName(),
                            spec.toString(),
                            broker.getHost(),
                            Integer.toString(broker.getPort()),
                            Integer.toString(options.window()))
                    .redirectError(dir.resolve("edges-" + p + ".log").toFile())
                    .start();
            EdgeProcess edges = new EdgeProcess(process);
            processes.add(edges);
            Thread reader = new Thread(() -> read(edges), "fleet-edges-" + p);
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void read(EdgeProcess edges) {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(edges.process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("seen ")) {
                    String[] f = line.split(" ");
                    Round round = rounds.get(f[1] + "/" + f[2]);
                    if (round != null) {
                        round.seen(Long.parseLong(f[4]));
                    }
                } else if (line.startsWith("problem ")) {
                    System.err.println("fleet edge " + line);
                } else {
                    edges.answers.add(line);
                }
            }
        } catch (IOException e) {
            edges.answers.add("error the process's output ended: " + e);
        }
        edges.answers.add("error the process ended");
    }

    /** Sends {@code command} to every process and waits for each one's answer starting with {@code expect}. */
    private List<String> broadcast(String command, String expect) throws InterruptedException {
        for (EdgeProcess p : processes) {
            p.in.println(command);
        }
        return awaitAll(expect, Duration.ofHours(2));
    }

    private List<String> awaitAll(String expect, Duration timeout) throws InterruptedException {
        List<String> answers = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (EdgeProcess p : processes) {
            String answer = p.answers.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (answer == null || !answer.startsWith(expect + " ") && !answer.equals(expect)) {
                throw new IllegalStateException("an edge process answered '" + answer + "', not " + expect);
            }
            answers.add(answer);
        }
        return answers;
    }

    private static long last(List<String> answers, int field) {
        return answers.stream()
                .mapToLong(a -> Long.parseLong(a.split(" ")[field]))
                .max()
                .orElseThrow();
    }

    /** One timed revocation: the API call's start, and each edge's moment of applying it. */
    private final class Round {
        final long start;
        final CountDownLatch latch = new CountDownLatch(options.sitesPerTenant());
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());

        Round(long start) {
            this.start = start;
        }

        void seen(long nanos) {
            latencies.add(nanos - start);
            latch.countDown();
        }
    }

    /** A phase's CPU time at the hub, wall time, and what was done. */
    private record Phase(double cpuMicros, double seconds, long changes, long events) {}

    private Phase phase(String name, boolean withChanges, boolean withEvents, List<Long> perEdge, List<Long> perChange)
            throws Exception {
        long cpuBefore = hub.cpuTicks();
        long brokerBefore = ticks(broker.pid());
        long start = System.nanoTime();
        long end = start + options.duration().toNanos();
        AtomicLong changes = new AtomicLong();
        List<Round> timed = new ArrayList<>();
        if (withEvents) {
            broadcast("load " + options.eventRate() / processes.size(), "loading");
        }
        long[] emittedBefore = emitted();
        if (withChanges) {
            ScheduledChanges schedule = new ScheduledChanges();
            long nextRevocation = start;
            long nextChange = start;
            int tenant = 0;
            double changeGap = 1e9 / Math.max(0.001, options.changeRate());
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextRevocation) {
                    Tenant t = tenants.get(tenant++ % tenants.size());
                    String status = schedule.flip(t.watched);
                    Round round = new Round(System.nanoTime());
                    rounds.put(t.watched + "/" + status.toUpperCase(Locale.ROOT), round);
                    timed.add(round);
                    allRounds.add(round);
                    call("PATCH", "/api/v1/members/" + t.watched, t.token, "{\"status\":\"" + status + "\"}");
                    changes.incrementAndGet();
                    nextRevocation += options.revocationEvery().toNanos();
                } else if (now >= nextChange) {
                    Tenant t = tenants.get(ThreadLocalRandom.current().nextInt(tenants.size()));
                    String member = t.others.get(ThreadLocalRandom.current().nextInt(t.others.size()));
                    call(
                            "PATCH",
                            "/api/v1/members/" + member,
                            t.token,
                            "{\"status\":\"" + schedule.flip(member) + "\"}");
                    changes.incrementAndGet();
                    nextChange += (long) changeGap;
                } else {
                    Thread.sleep(Math.max(1, Math.min(nextRevocation, nextChange) - now) / 1_000_000 + 1);
                }
            }
        } else {
            Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
        }
        if (withEvents) {
            broadcast("load 0", "loading");
        }
        double seconds = seconds(start);
        long[] emittedAfter = emitted();
        long events = emittedAfter[0] - emittedBefore[0];
        // Wait for the revocations in flight and for every event's ack before reading the CPU.
        for (Round round : timed) {
            if (!round.latch.await(60, TimeUnit.SECONDS)) {
                say(
                        "  a revocation reached only %d of %d sites within 60 s",
                        options.sitesPerTenant() - round.latch.getCount(), options.sitesPerTenant());
            }
        }
        broadcast("drain 600", "drained");
        double cpu = (hub.cpuTicks() - cpuBefore) * 10_000.0;
        double brokerCpu = (ticks(broker.pid()) - brokerBefore) * 10_000.0;
        for (Round round : timed) {
            List<Long> mine = new ArrayList<>(round.latencies);
            perEdge.addAll(mine);
            if (round.latch.getCount() == 0) {
                perChange.add(Collections.max(mine));
            }
        }
        say(
                "  %s: %.1f s, %d member changes, %d events; hub CPU %.0f ms (%.0f %% of a core), broker CPU %.0f ms;"
                        + " load %s",
                name,
                seconds,
                changes.get(),
                events,
                cpu / 1000,
                cpu / seconds / 10_000,
                brokerCpu / 1000,
                loadAverage());
        return new Phase(cpu, seconds, changes.get(), events);
    }

    /** Each member's next status: suspended, then active again, and so on. */
    private static final class ScheduledChanges {
        private static final Map<String, Boolean> SUSPENDED = new ConcurrentHashMap<>();

        String flip(String member) {
            boolean now = !SUSPENDED.getOrDefault(member, false);
            SUSPENDED.put(member, now);
            return now ? "suspended" : "active";
        }
    }

    private long[] emitted() throws InterruptedException {
        long sum = 0;
        for (String line : broadcast("counts", "counts")) {
            sum += Long.parseLong(line.split(" ")[1]);
        }
        return new long[] {sum};
    }

    /**
     * The broker alone: every edge publishes {@code perEdge} messages of an event's size on its own
     * topic, at most the window unacknowledged, to one plain subscriber (logged in as the hub) that
     * only counts them; messages per second, first sent to last received.
     */
    private double bare(int perEdge, long[] received) throws Exception {
        long expected = (long) perEdge * options.edges();
        CountDownLatch all = new CountDownLatch(1);
        AtomicLong count = new AtomicLong();
        List<String> disconnects = Collections.synchronizedList(new ArrayList<>());
        AtomicLong lastNanos = new AtomicLong();
        // The hub's own client and settings (Paho, at most 100 unacknowledged): HiveMQ's client, which
        // the edges use, disconnected from Mosquitto 2.0 at this size — with its default receive maximum
        // of 65,535 Mosquitto gave a packet id again that the client still held (after 401,888
        // messages), and with 1,000 it sent more than 1,000 unacknowledged.
        MqttAsyncClient consumer = new MqttAsyncClient(broker.url(), "gatehouse-hub-bare", new MemoryPersistence());
        consumer.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnects.add(response + " after " + count.get() + " messages");
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                disconnects.add("error " + exception + " after " + count.get() + " messages");
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                lastNanos.set(System.nanoTime());
                if (count.incrementAndGet() == expected) {
                    all.countDown();
                }
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        MqttConnectionOptions connect = new MqttConnectionOptions();
        connect.setUserName("gatehouse-hub");
        connect.setPassword(hub.hubPassword.getBytes(StandardCharsets.UTF_8));
        connect.setCleanStart(true);
        connect.setReceiveMaximum(100);
        connect.setAutomaticReconnect(false);
        consumer.connect(connect).waitForCompletion(30_000);
        consumer.subscribe(new MqttSubscription("gh/v1/+/+/+/bench", 1)).waitForCompletion(30_000);
        long start = System.nanoTime();
        List<String> done = broadcast("bare " + perEdge, "bare-done");
        long refused =
                done.stream().mapToLong(a -> Long.parseLong(a.split(" ")[2])).sum();
        say(
                "bare: every edge's %,d messages acknowledged by the broker after %.1f s (%,d refused or failed);"
                        + " the subscriber has %,d",
                perEdge, seconds(start), refused, count.get());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, expected / 1000));
        while (!all.await(30, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
            say("bare: the subscriber has %,d of %,d after %.0f s", count.get(), expected, seconds(start));
        }
        // The rate of what arrived, first sent to last received: a subscriber cut off before the end
        // (as above) is not slow until the deadline.
        double seconds = (lastNanos.get() - start) / 1e9;
        received[0] = count.get();
        if (count.get() < expected) {
            say(
                    "bare: INCOMPLETE, the subscriber got %,d of %,d messages, the last %.1f s after the first was"
                            + " sent (%,d refused at the edges); disconnects: %s",
                    count.get(), expected, seconds, refused, disconnects.isEmpty() ? "none" : disconnects);
        }
        if (consumer.isConnected()) {
            consumer.disconnect().waitForCompletion(30_000);
        }
        consumer.close();
        return count.get() / seconds;
    }

    /** Access and door events in the hub's store. */
    private long storedEvents() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hub.dataDir.resolve("hub.db"));
                Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT (SELECT count(*) FROM access_events) + (SELECT count(*) FROM door_events)")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private JsonNode call(String method, String path, String token, String body) throws IOException {
        Api.Response response = api.send(method, path, token, Optional.ofNullable(body), Optional.empty());
        if (response.status() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response);
        }
        return response.json();
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void print(String what, List<Long> nanos, String measured) {
        if (nanos.isEmpty()) {
            say("%s: no samples", what);
            return;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        say(
                "%s: p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d samples: %s)",
                what,
                percentile(sorted, 50) / 1e6,
                percentile(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6,
                sorted.length,
                measured);
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private static String mosquittoVersion() {
        try {
            Process p = new ProcessBuilder("mosquitto", "-h")
                    .redirectErrorStream(true)
                    .start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElse("?");
            p.waitFor();
            return first.replace("mosquitto version ", "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private void close() {
        for (EdgeProcess p : processes) {
            try {
                p.in.println("quit");
                if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                    p.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.process.destroyForcibly();
            }
        }
        try {
            if (hub != null) {
                hub.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
