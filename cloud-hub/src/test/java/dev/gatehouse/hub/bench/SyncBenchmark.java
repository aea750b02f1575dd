package dev.gatehouse.hub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.hub.mqtt.NoDelaySockets;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.sign.KeySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * {@code ./gatehouse bench sync}: the hub as the product runs it, in its own JVM (SQLite, embedded
 * broker), and simulated edges in this one — each a real Paho client with its own device
 * credentials and a real SQLite entitlement cache.
 *
 * <ul>
 *   <li><b>Revocation propagation</b> with 1, 100 and 500 edges (one site each): from the moment the
 *       operator's {@code PATCH /members/{id}} is sent to the moment each edge has verified the
 *       signed batch and committed it to its cache; p50 / p99 / max over every edge and round.
 *   <li><b>Hub RSS</b> with the largest number of edges connected.
 *   <li><b>Event ingest</b>: edges publish access events as the agent drains its outbox (at most
 *       {@code window} unacknowledged each), the hub stores them idempotently and acknowledges;
 *       beside the <b>bare broker throughput</b> of messages of the same size from the same clients
 *       with the same window to one plain subscriber, in the same run, and the ratio. Afterwards the
 *       store is counted by id (and a share of the events is published twice) to show the
 *       exactly-once effect.
 * </ul>
 *
 * Options: {@code --edges 1,100,500 --rounds 20 --ingest-edges 20 --events 40000 --window 32}.
 */
public final class SyncBenchmark {
    private final HubProcess hub;
    private final Api api;
    private final Path dir;

    private final boolean breakdown;

    private SyncBenchmark(HubProcess hub, Path dir, boolean breakdown) {
        this.hub = hub;
        this.dir = dir;
        this.breakdown = breakdown;
        this.api = new Api(hub.httpPort);
    }

    public static void main(String[] args) throws Exception {
        int[] edges = {1, 100, 500};
        int rounds = 20;
        int ingestEdges = 20;
        int events = 40_000;
        int window = 32;
        boolean breakdown = false;
        boolean ingest = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--edges" ->
                    edges = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--ingest-edges" -> ingestEdges = Integer.parseInt(args[++i]);
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--breakdown" -> breakdown = true;
                case "--no-ingest" -> ingest = false;
                default -> {
                    System.err.println("usage: bench sync [--edges 1,100,500] [--rounds N] [--ingest-edges N]"
                            + " [--events N] [--window N] [--breakdown] [--no-ingest]");
                    System.exit(2);
                }
            }
        }
        if (rounds < 2 || rounds % 2 != 0) {
            // Each round flips the member's status; an odd count would leave the status the timed-alone
            // phase's first round asks for, so that round would send no batch at all.
            System.err.println("bench sync: --rounds must be an even number of 2 or more (it is " + rounds + ")");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("gatehouse-bench-sync");
        System.out.println("sync benchmark: hub in its own JVM (-Xmx1g, SQLite, embedded HiveMQ CE), edges here;" + " "
                + Runtime.getRuntime().availableProcessors() + " cores, load " + loadAverage());
        List<String> hubOptions = breakdown ? List.of("-Xmx1g", HubProcess.SYNC_EVENTS) : List.of("-Xmx1g");
        try (HubProcess hub = HubProcess.start(dir.resolve("hub"), hubOptions)) {
            SyncBenchmark bench = new SyncBenchmark(hub, dir, breakdown);
            System.out.printf(Locale.ROOT, "hub RSS, idle: %.1f MB%n", hub.rssBytes() / 1e6);
            List<BenchEdge> kept = List.of();
            for (int n : edges) {
                List<BenchEdge> connected = bench.revocation(n, rounds);
                kept.forEach(BenchEdge::close);
                kept = connected;
            }
            System.out.printf(
                    Locale.ROOT, "hub RSS with %d edges connected: %.1f MB%n", kept.size(), hub.rssBytes() / 1e6);
            kept.forEach(BenchEdge::close);
            if (ingest) {
                bench.ingest(ingestEdges, events, window);
            }
        }
    }

    /** A tenant with {@code n} sites, one provisioned device each, connected and caught up. */
    private record Fleet(String token, String member, List<BenchEdge> edges) {}

    private Fleet fleet(int n, int window) throws Exception {
        String admin = hub.adminToken();
        String slug = "bench-" + n + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        JsonNode tenant = call("POST", "/api/v1/tenants", admin, "{\"slug\":\"" + slug + "\",\"name\":\"Bench\"}");
        String token = tenant.get("token").asText();
        String member = call(
                        "POST",
                        "/api/v1/members",
                        token,
                        "{\"email\":\"revoked@bench.example\",\"fullName\":\"Revoked Member\"}")
                .get("id")
                .asText();
        List<BenchEdge> edges = new ArrayList<>();
        ExecutorService connect = Executors.newFixedThreadPool(8);
        List<Future<BenchEdge>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String site = call(
                            "POST",
                            "/api/v1/sites",
                            token,
                            "{\"name\":\"Site " + i + "\",\"address\":\"" + i + " Bench St\",\"timeZone\":\"UTC\"}")
                    .get("id")
                    .asText();
            call("POST", "/api/v1/sites/" + site + "/doors", token, "{\"name\":\"Door\"}");
            String device = call("POST", "/api/v1/sites/" + site + "/devices", token, "{\"name\":\"Edge " + i + "\"}")
                    .get("id")
                    .asText();
            JsonNode bundle = call("POST", "/api/v1/devices/" + device + "/provision", token, "");
            KeySet keys = KeySet.parse(bundle.get("trustedKeys").toString());
            Path cache = dir.resolve("edges").resolve(device + ".db");
            Files.createDirectories(cache.getParent());
            pending.add(connect.submit(() -> new BenchEdge(
                    hub.mqttUrl(),
                    bundle.get("tenant").asText(),
                    site,
                    device,
                    bundle.at("/mqtt/password").asText(),
                    keys,
                    cache,
                    window)));
        }
        for (Future<BenchEdge> edge : pending) {
            edges.add(edge.get(120, TimeUnit.SECONDS));
        }
        connect.shutdown();
        // Catch up: each edge asks for its site's log, as the agent does on connect.
        CountDownLatch caughtUp = new CountDownLatch(edges.size());
        for (BenchEdge edge : edges) {
            long head = call("GET", "/api/v1/sites/" + edge.site, token, null)
                    .get("changeSeq")
                    .asLong();
            edge.onApplied(seq -> {
                if (seq >= head) {
                    edge.onApplied(s -> {});
                    caughtUp.countDown();
                }
            });
            if (edge.seq() >= head) {
                edge.onApplied(s -> {});
                caughtUp.countDown();
            } else {
                edge.requestSync();
            }
        }
        if (!caughtUp.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(caughtUp.getCount() + " edges did not catch up with their site's log");
        }
        return new Fleet(token, member, edges);
    }

    private List<BenchEdge> revocation(int n, int rounds) throws Exception {
        Fleet fleet = fleet(n, 32);
        List<Long> latencies = new ArrayList<>();
        List<Round> roundTimes = new ArrayList<>();
        long hubTicks = 0;
        long benchCpu = 0;
        for (int round = 0; round < rounds; round++) {
            String status = round % 2 == 0 ? "suspended" : "active";
            CountDownLatch applied = new CountDownLatch(n);
            ConcurrentLinkedQueue<Long> sample = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<EdgeSample> edgeSamples = new ConcurrentLinkedQueue<>();
            long[] start = new long[1];
            for (BenchEdge edge : fleet.edges()) {
                long target = edge.seq() + 1;
                edge.onApplied(seq -> {
                    if (seq >= target) {
                        edge.onApplied(s -> {});
                        sample.add(System.nanoTime() - start[0]);
                        edgeSamples.add(new EdgeSample(edge.site, target, edge.lastTiming()));
                        applied.countDown();
                    }
                });
            }
            long ticksBefore = hub.cpuTicks();
            long cpuBefore = processCpuNanos();
            Instant wall = Instant.now();
            start[0] = System.nanoTime();
            call("PATCH", "/api/v1/members/" + fleet.member(), fleet.token(), "{\"status\":\"" + status + "\"}");
            long answered = System.nanoTime();
            if (!applied.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(
                        applied.getCount() + " of " + n + " edges did not apply round " + round);
            }
            hubTicks += hub.cpuTicks() - ticksBefore;
            benchCpu += processCpuNanos() - cpuBefore;
            latencies.addAll(sample);
            roundTimes.add(new Round(wall, start[0], answered, List.copyOf(edgeSamples)));
        }
        print(
                "revocation, %3d edges, all of them and the hub on this machine's cores:".formatted(n),
                latencies,
                "API call -> batch verified and committed in each edge's SQLite cache");
        System.out.printf(
                Locale.ROOT,
                "  CPU per change: hub process %.1f ms (from /proc, 10 ms ticks), this JVM's %d edges %.1f ms%n",
                hubTicks * 10.0 / rounds,
                n,
                benchCpu / 1e6 / rounds);
        if (breakdown) {
            breakdown(n, roundTimes);
        }
        // The same rounds with each edge's work timed alone, as on its own device: the batch's arrival
        // at the edge's MQTT client (no edge verifying or committing meanwhile), plus that edge's own
        // verification and commit of it, done one edge at a time after all have arrived.
        List<Long> own = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String status = round % 2 == 0 ? "suspended" : "active";
            CountDownLatch arrived = new CountDownLatch(n);
            for (BenchEdge edge : fleet.edges()) {
                AtomicBoolean first = new AtomicBoolean();
                edge.hold(() -> {
                    if (!first.getAndSet(true)) {
                        arrived.countDown();
                    }
                });
            }
            long start = System.nanoTime();
            call("PATCH", "/api/v1/members/" + fleet.member(), fleet.token(), "{\"status\":\"" + status + "\"}");
            if (!arrived.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(
                        arrived.getCount() + " of " + n + " edges got no batch in round " + round + " (held)");
            }
            for (BenchEdge edge : fleet.edges()) {
                long target = edge.seq() + 1;
                long[] timed = edge.applyHeld();
                if (edge.seq() < target) {
                    throw new IllegalStateException("edge " + edge.device + " did not apply round " + round);
                }
                arrivals.add(timed[0] - start);
                own.add(timed[0] - start + timed[1]);
            }
        }
        print(
                "revocation, %3d edges, each edge's work timed alone:".formatted(n),
                own,
                "API call -> batch arrived at the edge's MQTT client, + that edge's own verify and commit");
        print("  of which the arrival alone:", arrivals, "API call -> batch at each edge's MQTT client");
        return fleet.edges();
    }

    /** One edge's applied batch in a round: its site, the seq it reached, and when (nanoTime) it got there. */
    private record EdgeSample(String site, long seq, BenchEdge.Timing timing) {}

    /** A round: when the API call was sent (wall clock and nanoTime), when it was answered, and each edge's sample. */
    private record Round(Instant wall, long startNanos, long answeredNanos, List<EdgeSample> edges) {
        /** {@code at} (wall clock, as the hub's flight recorder stamps it) in nanoseconds after the API call was sent. */
        long since(Instant at) {
            return java.time.Duration.between(wall, at).toNanos();
        }
    }

    /**
     * Where each round's time went, from the hub's flight recording (its sync publisher's events: a
     * commit heard, each site's log read, batch signed and handed to the MQTT link, the broker's PUBACK)
     * and this JVM's edges (arrived at the MQTT client, verified, committed): p50/p99 of each stage,
     * as time since the API call was sent, and of each step's own duration.
     */
    private void breakdown(int n, List<Round> rounds) throws Exception {
        Path file = hub.dumpFlightRecording(dir.resolve("hub-sync-" + n + ".jfr"));
        Map<String, jdk.jfr.consumer.RecordedEvent> published = new java.util.HashMap<>();
        Map<String, jdk.jfr.consumer.RecordedEvent> accepted = new java.util.HashMap<>();
        List<Instant> heard = new ArrayList<>();
        for (jdk.jfr.consumer.RecordedEvent event : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
            switch (event.getEventType().getName()) {
                case "dev.gatehouse.hub.sync.SitePublished" ->
                    published.put(event.getString("site") + "@" + event.getLong("toSeq"), event);
                case "dev.gatehouse.hub.sync.SiteAccepted" ->
                    accepted.put(event.getString("site") + "@" + event.getLong("toSeq"), event);
                case "dev.gatehouse.hub.sync.ChangesHeard" -> heard.add(event.getStartTime());
                default -> {}
            }
        }
        Map<String, List<Long>> stages = new java.util.LinkedHashMap<>();
        for (String stage : List.of(
                "hub: API call answered (change committed)",
                "hub: commit heard by the sync publisher",
                "hub: round reached the site",
                "hub: site's log read",
                "hub: site's batch signed",
                "hub: batch handed to the MQTT link",
                "hub: broker's PUBACK handled by the publisher",
                "edge: batch arrived at its MQTT client",
                "edge: verified",
                "edge: committed in its SQLite cache")) {
            stages.put(stage, new ArrayList<>());
        }
        Map<String, List<Long>> steps = new java.util.LinkedHashMap<>();
        for (String step : List.of(
                "hub: read of one site's log, head and key",
                "hub: signing one site's batch (ES256)",
                "hub: handing it to the link",
                "broker: handed -> PUBACK handled",
                "broker+client: handed -> arrival at the edge",
                "edge: verifying one batch",
                "edge: committing one batch")) {
            steps.put(step, new ArrayList<>());
        }
        int missing = 0;
        for (Round round : rounds) {
            stages.get("hub: API call answered (change committed)").add(round.answeredNanos() - round.startNanos());
            heard.stream()
                    .filter(at -> round.since(at) >= 0 && round.since(at) < 60_000_000_000L)
                    .findFirst()
                    .ifPresent(at -> stages.get("hub: commit heard by the sync publisher")
                            .add(round.since(at)));
            for (EdgeSample edge : round.edges()) {
                String key = edge.site() + "@" + edge.seq();
                jdk.jfr.consumer.RecordedEvent site = published.get(key);
                jdk.jfr.consumer.RecordedEvent broker = accepted.get(key);
                BenchEdge.Timing timing = edge.timing();
                if (site == null || broker == null) {
                    missing++;
                } else {
                    long reached = round.since(site.getStartTime());
                    long read = site.getDuration("readNanos").toNanos();
                    long sign = site.getDuration("signNanos").toNanos();
                    long hand = site.getDuration("handNanos").toNanos();
                    long handed = round.since(site.getEndTime());
                    long puback = round.since(broker.getEndTime());
                    stages.get("hub: round reached the site").add(reached);
                    stages.get("hub: site's log read").add(reached + read);
                    stages.get("hub: site's batch signed").add(handed - hand);
                    stages.get("hub: batch handed to the MQTT link").add(handed);
                    stages.get("hub: broker's PUBACK handled by the publisher").add(puback);
                    steps.get("hub: read of one site's log, head and key").add(read);
                    steps.get("hub: signing one site's batch (ES256)").add(sign);
                    steps.get("hub: handing it to the link").add(hand);
                    steps.get("broker: handed -> PUBACK handled").add(puback - handed);
                    steps.get("broker+client: handed -> arrival at the edge")
                            .add(timing.arrived() - round.startNanos() - handed);
                }
                stages.get("edge: batch arrived at its MQTT client").add(timing.arrived() - round.startNanos());
                stages.get("edge: verified").add(timing.verified() - round.startNanos());
                stages.get("edge: committed in its SQLite cache").add(timing.committed() - round.startNanos());
                steps.get("edge: verifying one batch").add(timing.verified() - timing.arrived());
                steps.get("edge: committing one batch").add(timing.committed() - timing.verified());
            }
        }
        System.out.printf(
                Locale.ROOT,
                "  breakdown, %d edges: each stage reached, ms after the API call was sent (p50 / p99 over %d rounds"
                        + " x edges%s):%n",
                n,
                rounds.size(),
                missing == 0 ? "" : "; " + missing + " edge samples without the hub's events");
        stages.forEach((stage, nanos) -> printStage(stage, nanos, 1e6, "ms"));
        System.out.println("  each step's own time (p50 / p99):");
        steps.forEach((step, nanos) -> printStage(step, nanos, 1e3, "us"));
    }

    private static void printStage(String what, List<Long> nanos, double unit, String unitName) {
        if (nanos.isEmpty()) {
            System.out.printf(Locale.ROOT, "    %-48s (no samples)%n", what);
            return;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "    %-48s p50 %9.1f %s  p99 %9.1f %s%n",
                what,
                percentile(sorted, 50) / unit,
                unitName,
                percentile(sorted, 99) / unit,
                unitName);
    }

    /** CPU time of this JVM (every simulated edge's clients, verification and cache), in ns. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void print(String what, List<Long> nanos, String measured) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "%s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d samples: %s)%n",
                what,
                percentile(sorted, 50) / 1e6,
                percentile(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6,
                sorted.length,
                measured);
    }

    private void ingest(int n, int total, int window) throws Exception {
        Fleet fleet = fleet(n, window);
        int perEdge = total / n;
        int events = perEdge * n;
        byte[] sample = MessageCodec.encode(event(fleet.edges().get(0).site));
        // One full round of each path first, not counted: the broker's and the hub's JIT warm up
        // (a cold first run was half as fast as the next).
        bare(fleet, perEdge, window, sample, "");
        ingestOnce(fleet, perEdge, window);
        int sentTotal = events;
        // Then the rounds, each path in turn; the best of each is compared.
        double bestBare = 0;
        double bestShared = 0;
        double bestIngest = 0;
        List<List<Envelope>> last = List.of();
        for (int round = 1; round <= INGEST_ROUNDS; round++) {
            Measured plain = measured(() -> bare(fleet, perEdge, window, sample, ""));
            Measured shared = measured(() -> bare(fleet, perEdge, window, sample, "$share/bare/"));
            Ingested[] ingested = new Ingested[1];
            Measured stored = measured(() -> {
                ingested[0] = ingestOnce(fleet, perEdge, window);
                return ingested[0].rate();
            });
            last = ingested[0].sent();
            sentTotal += events;
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: bare %,6.0f msg/s (hub CPU %3.0f us/msg) | bare via $share %,6.0f msg/s (%3.0f us/msg)"
                            + " | ingest %,6.0f events/s (%3.0f us/event)%n",
                    round,
                    plain.rate(),
                    plain.hubCpuMicros() / events,
                    shared.rate(),
                    shared.hubCpuMicros() / events,
                    stored.rate(),
                    stored.hubCpuMicros() / events);
            bestBare = Math.max(bestBare, plain.rate());
            bestShared = Math.max(bestShared, shared.rate());
            bestIngest = Math.max(bestIngest, stored.rate());
        }
        // Exactly-once: publish 5 % of the last round's events again, then count the store by id.
        List<List<Envelope>> again = last;
        runAll(fleet.edges(), edge -> {
            List<Envelope> mine = again.get(fleet.edges().indexOf(edge));
            for (int i = 0; i < mine.size(); i += 20) {
                edge.publishEvent(mine.get(i));
            }
            edge.awaitWindowDrained(120_000, window);
        });
        long[] counted = count(fleet.token());
        System.out.printf(
                Locale.ROOT,
                "event ingest, %d edges x %d events of %d bytes, window %d: %,.0f events/s into the store,"
                        + " acknowledged (best of %d)%n",
                n,
                perEdge,
                sample.length,
                window,
                bestIngest,
                INGEST_ROUNDS);
        System.out.printf(
                Locale.ROOT,
                "bare broker throughput, same clients, size and window, one plain subscriber: %,.0f messages/s"
                        + " (best of %d; through a $share subscription as the hub's: %,.0f)%n",
                bestBare,
                INGEST_ROUNDS,
                bestShared);
        System.out.printf(Locale.ROOT, "ratio ingest / bare broker: %.0f %%%n", 100 * bestIngest / bestBare);
        System.out.printf(
                Locale.ROOT,
                "exactly once: %d distinct events sent (%d of them twice), store holds %d rows with %d distinct"
                        + " ids%n",
                sentTotal,
                (perEdge + 19) / 20 * n,
                counted[0],
                counted[1]);
        fleet.edges().forEach(BenchEdge::close);
    }

    private static final int INGEST_ROUNDS = 3;

    @FunctionalInterface
    private interface Rate {
        double run() throws Exception;
    }

    /** A rate and the hub process's CPU time while it was measured. */
    private record Measured(double rate, double hubCpuMicros) {}

    private Measured measured(Rate rate) throws Exception {
        long before = hub.cpuTicks();
        double value = rate.run();
        return new Measured(value, (hub.cpuTicks() - before) * 10_000.0);
    }

    private record Ingested(double rate, List<List<Envelope>> sent) {}

    /** Access events through the hub's shared subscription into the store, acknowledged; events per second. */
    private Ingested ingestOnce(Fleet fleet, int perEdge, int window) throws Exception {
        long start = System.nanoTime();
        List<List<Envelope>> sent = new ArrayList<>();
        for (BenchEdge edge : fleet.edges()) {
            List<Envelope> mine = new ArrayList<>(perEdge);
            for (int i = 0; i < perEdge; i++) {
                mine.add(event(edge.site));
            }
            sent.add(mine);
        }
        runAll(fleet.edges(), edge -> {
            for (Envelope event : sent.get(fleet.edges().indexOf(edge))) {
                edge.publishEvent(event);
            }
            if (!edge.awaitWindowDrained(120_000, window)) {
                throw new IllegalStateException("edge " + edge.device + " was not acknowledged");
            }
        });
        return new Ingested(perEdge * fleet.edges().size() / ((System.nanoTime() - start) / 1e9), sent);
    }

    /**
     * The bare broker: the same clients publish messages of the same size, with the same window, to
     * one plain subscriber that only counts them; as the hub's {@code event.ack} does for events, the
     * subscriber's receipt releases a place in the publisher's window, so the broker never holds a
     * backlog the ingest run would not have either. Messages per second, first sent to last received.
     */
    private double bare(Fleet fleet, int perEdge, int window, byte[] sample, String share) throws Exception {
        int events = perEdge * fleet.edges().size();
        Map<String, Semaphore> windows = new ConcurrentHashMap<>();
        for (BenchEdge edge : fleet.edges()) {
            windows.put(edge.device, new Semaphore(window));
        }
        CountDownLatch allReceived = new CountDownLatch(events);
        MqttAsyncClient consumer = new MqttAsyncClient(hub.mqttUrl(), "gatehouse-hub-bare", new MemoryPersistence());
        consumer.setCallback(new Counting(windows, allReceived));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("gatehouse-hub");
        options.setPassword(hub.hubPassword.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        NoDelaySockets.forUrl(hub.mqttUrl()).ifPresent(options::setSocketFactory); // as the hub's link
        consumer.connect(options).waitForCompletion(30_000);
        consumer.subscribe(new MqttSubscription(share + "gh/v1/+/+/+/bench", 1)).waitForCompletion(30_000);
        long start = System.nanoTime();
        runAll(fleet.edges(), edge -> {
            String topic = "gh/v1/" + edge.tenant + "/" + edge.site + "/" + edge.device + "/bench";
            Semaphore open = windows.get(edge.device);
            for (int i = 0; i < perEdge; i++) {
                open.acquire();
                edge.publishTo(topic, sample);
            }
        });
        if (!allReceived.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(
                    "the bare subscriber got " + (events - allReceived.getCount()) + " of " + events);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        consumer.disconnect().waitForCompletion(5_000);
        consumer.close();
        return events / seconds;
    }

    private long[] count(String token) throws Exception {
        String tenantId = call("GET", "/api/v1/tenant", token, null).get("id").asText();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hub.dataDir.resolve("hub.db"));
                Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*), count(DISTINCT id) FROM access_events WHERE tenant_id = '" + tenantId
                                + "'")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    private static Envelope event(String site) {
        Instant at = Instant.now();
        byte[] hash = new byte[32];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(hash);
        return new Envelope(
                EventIds.next(at),
                at,
                new AccessEvent(
                        site,
                        DoorId.of("door_bench"),
                        PresentedKind.NFC_CARD,
                        Optional.of(HexFormat.of().formatHex(hash)),
                        Optional.empty(),
                        Optional.<MemberId>empty(),
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Optional.of(DenyReason.UNKNOWN_CREDENTIAL),
                        ClockStatus.TRUSTED));
    }

    @FunctionalInterface
    private interface EdgeWork {
        void run(BenchEdge edge) throws Exception;
    }

    private static void runAll(List<BenchEdge> edges, EdgeWork work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(edges.size());
        List<Future<Object>> done = new ArrayList<>();
        for (BenchEdge edge : edges) {
            done.add(pool.submit(() -> {
                work.run(edge);
                return null;
            }));
        }
        for (Future<Object> future : done) {
            future.get(300, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    /** Counts what the bare subscriber receives and frees a place in the sending edge's window. */
    private static final class Counting implements MqttCallback {
        private final Map<String, Semaphore> windows;
        private final CountDownLatch received;

        Counting(Map<String, Semaphore> windows, CountDownLatch received) {
            this.windows = windows;
            this.received = received;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            windows.get(topic.split("/")[4]).release(); // gh/v1/{tenant}/{site}/{device}/bench
            received.countDown();
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {}

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }

    /** One API call through the tests' client; anything but 2xx stops the benchmark with the answer. */
    private JsonNode call(String method, String path, String token, String body) throws IOException {
        Api.Response response = api.send(method, path, token, Optional.ofNullable(body), Optional.empty());
        if (response.status() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + response);
        }
        return response.json();
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
