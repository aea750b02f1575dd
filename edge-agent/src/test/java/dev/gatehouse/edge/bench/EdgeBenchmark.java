package dev.gatehouse.edge.bench;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.sim.gpio.RelayHistory;
import dev.gatehouse.sim.serial.Pn532Emulator;
import dev.gatehouse.sim.site.SimulatedSite;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The edge agent's hot paths, in one run, each beside its bare limit:
 *
 * <ul>
 *   <li>tap-to-relay: through the production reader adapter, keyed hash, SQLite lookups, policy
 *       engine, door queue and outbox commit to the relay pin changing, measured from the moment the
 *       reader had the PN532's InListPassiveTarget response (with the card) in hand, and also from
 *       the emulator's write of it to the pty (which adds the kernel's pty hop) — with 250,000 and
 *       with 1,000,000 credentials in the cache, beside a bare indexed SQLite lookup of a card hash
 *       on the same file, with a breakdown of the steps;
 *   <li>QR scan-to-relay: the same from the scanner's line in the reader's hands (and from its
 *       write), beside a bare Nimbus ES256 verify of the same kind of token;
 *   <li>the cache's size on disk, and the agent's start-to-ready time and RSS with 1,000,000
 *       credentials, measured on the real command ({@code gatehouse-edge run --simulate}) in a child JVM.
 * </ul>
 *
 * <p>Run: {@code ./gatehouse bench edge} (options: {@code --sizes 250000,1000000 --taps 300}, and
 * {@code --launcher PATH} to start the agent process through an installed launcher). Not a
 * test: nothing is asserted.
 */
public final class EdgeBenchmark {
    private static final String DOOR = DemoSite.DOOR;

    private EdgeBenchmark() {}

    /**
     * An installed launcher ({@code --launcher /usr/bin/gatehouse-edge}, or the tarball's
     * {@code bin/gatehouse-edge}) to time the agent process from the packaged files instead of this
     * class path.
     */
    private static Optional<Path> launcher = Optional.empty();

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(250_000, 1_000_000);
        int taps = 300;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--sizes")) {
                sizes = Arrays.stream(args[i + 1].split(","))
                        .map(Integer::parseInt)
                        .toList();
            } else if (args[i].equals("--taps")) {
                taps = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--launcher")) {
                launcher = Optional.of(Path.of(args[i + 1]).toAbsolutePath());
            }
        }
        System.out.printf(
                "Gatehouse edge benchmark — %s %s, %d cores%n%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        Path root = Files.createTempDirectory("gatehouse-edge-bench");
        for (int size : sizes) {
            run(root.resolve("n" + size), size, taps, size == sizes.get(sizes.size() - 1));
        }
    }

    private static void run(Path dir, int size, int taps, boolean measureProcess) throws Exception {
        Files.createDirectories(dir);
        DemoSite demo = new DemoSite(dir);
        Path dbFile = demo.config().dataDir().resolve("cache.db");
        Files.createDirectories(dbFile.getParent());
        long loadStart = System.nanoTime();
        try (SqliteEntitlementCache cache = SqliteEntitlementCache.open(dbFile, DemoSite.TENANT, DemoSite.SITE)) {
            cache.seedKeys(KeySet.of(demo.hubKey));
            cache.bulkLoad(entities(demo, size, taps + taps / 10 + 1));
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        long bytes = Files.size(dbFile);
        System.out.printf(
                "== %,d credentials (and %,d members): loaded in %.1f s, cache %,.1f MB on disk%n",
                size, size, loadSeconds, bytes / 1e6);

        Stats bareLookup = bareLookup(dbFile, demo, size);
        System.out.println(bareLookup.line("bare indexed SQLite lookup (card hash → row)"));

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC())) {
            EdgeAgent agent = EdgeAgent.start(demo.config(), hardware, Clock.systemUTC());
            List<String> denials = new java.util.concurrent.CopyOnWriteArrayList<>();
            BlockingQueue<Decided> decisions = new LinkedBlockingQueue<>();
            agent.onDecision(decided -> {
                if (!decided.decision().granted()) {
                    denials.add(decided.decision().toString());
                }
                decisions.add(decided);
            });
            try {
                SimulatedSite site = hardware.site();
                DoorController door = agent.door(DOOR).orElseThrow();
                Samples cold;
                Samples tap;
                try {
                    cold = tapToRelay(site, door, decisions, 0, Math.min(30, taps));
                    warm(agent, demo, size);
                    tap = tapToRelay(site, door, decisions, taps / 10, taps);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "; denials: " + denials, e);
                }
                System.out.println(cold.fromArrival().line("tap-to-relay, first taps after start (cold JIT)"));
                Stats fromFrame = tap.fromArrival();
                Stats fromWrite = tap.fromWrite();
                System.out.println(fromFrame.line("tap-to-relay, frame in the reader's hands → relay")
                        + ratio("bare lookup", fromFrame, bareLookup));
                System.out.println(fromWrite.line("tap-to-relay, emulator's write → relay (pty hop)")
                        + ratio("bare lookup", fromWrite, bareLookup));
                System.out.println(tap.breakdown("hash + lookups + engine"));
                System.out.printf(
                        "    targets: p99 ≤ 5 ms %s; within 3× of the bare lookup (frame in hand → relay): p50 %s, p99 %s%n",
                        met(fromFrame.p99() <= 5_000_000),
                        met(fromFrame.p50() <= 3 * bareLookup.p50()),
                        met(fromFrame.p99() <= 3 * bareLookup.p99()));
                if (measureProcess) {
                    Stats bareVerify = bareVerify(demo);
                    Samples qr = scanToRelay(site, door, decisions, demo, 100, Math.max(100, taps));
                    System.out.println(bareVerify.line("bare Nimbus ES256 verify"));
                    Stats qrFromLine = qr.fromArrival();
                    System.out.println(qrFromLine.line("QR scan-to-relay, line in the reader's hands → relay")
                            + ratio("bare verify", qrFromLine, bareVerify));
                    System.out.println(qr.fromWrite().line("QR scan-to-relay, emulator's write → relay (pty hop)")
                            + ratio("bare verify", qr.fromWrite(), bareVerify));
                    System.out.println(qr.breakdown("verify + lookups + engine"));
                    System.out.printf(
                            "    target within 1.5× of the bare verify (line in hand → relay): p50 %s%n",
                            met(qrFromLine.p50() <= 1.5 * bareVerify.p50()));
                }
            } finally {
                agent.close();
            }
        }
        if (measureProcess) {
            process(demo, size);
        }
        System.out.println();
    }

    /** The site, its door, {@code size} members with one card each; the first {@code granted} have a grant. */
    private static Iterable<Entity> entities(DemoSite demo, int size, int granted) {
        List<Entity> head = new ArrayList<>();
        head.add(new Site(DemoSite.SITE, DemoSite.ZONE, Set.of()));
        head.add(new Door(
                DoorId.of(DOOR),
                "Main entrance",
                Duration.ofSeconds(1),
                DegradedMode.KEEP_GRANTING,
                DegradedMode.KEEP_GRANTING,
                Duration.ZERO));
        head.add(new Credential(
                CredentialId.of("qr-0"),
                MemberId.of("m-0"),
                CredentialType.MEMBER_QR,
                Optional.empty(),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty()));
        return () -> new Iterator<>() {
            private final Iterator<Entity> first = head.iterator();
            private int member;
            private int part;

            @Override
            public boolean hasNext() {
                return first.hasNext() || member < size;
            }

            @Override
            public Entity next() {
                if (first.hasNext()) {
                    return first.next();
                }
                MemberId id = MemberId.of("m-" + member);
                Entity entity =
                        switch (part) {
                            case 0 -> new Member(id, MemberStatus.ACTIVE, Set.of());
                            case 1 ->
                                new Credential(
                                        CredentialId.of("c-" + member),
                                        id,
                                        CredentialType.NFC_CARD,
                                        Optional.of(demo.cards.hash(uid(member))),
                                        CredentialStatus.ACTIVE,
                                        Optional.empty(),
                                        Optional.empty());
                            default ->
                                new Grant(
                                        GrantId.of("g-" + member),
                                        id,
                                        Set.<DoorGroupId>of(),
                                        Set.of(DoorId.of(DOOR)),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty());
                        };
                int parts = member < granted || member == 0 ? 3 : 2;
                if (++part == parts) {
                    part = 0;
                    member++;
                }
                return entity;
            }
        };
    }

    /**
     * Runs the decision path's code hot, as it is in an agent that has been up for a while: the
     * engine over a read view of the agent's own cache, and outbox appends, as a decision does them.
     * Without this the few hundred measured taps would mostly time the JVM's interpreter and its
     * compiler threads, not Gatehouse.
     */
    private static void warm(EdgeAgent agent, DemoSite demo, int size) {
        EdgeCache cache = agent.cache();
        for (int i = 0; i < 20_000; i++) {
            String hash = demo.cards.hash(uid((int) ((i * 7919L) % size)));
            AccessRequest request = AccessRequest.online(new Presented.Card(hash), DoorId.of(DOOR), Instant.now());
            cache.reading(view -> PolicyEngine.evaluate(view, request));
        }
        for (int i = 0; i < 3_000; i++) {
            cache.outbox()
                    .append(new Envelope(
                            EventIds.next(Instant.now()),
                            Instant.now(),
                            new DoorEvent(
                                    DemoSite.SITE,
                                    DoorId.of(DOOR),
                                    DoorEventKind.RESTORED,
                                    Optional.of("benchmark warm-up"))));
        }
    }

    /** A 7-byte UID for member {@code i}. */
    private static byte[] uid(int i) {
        return new byte[] {0x04, 0x10, (byte) (i >> 24), (byte) (i >> 16), (byte) (i >> 8), (byte) i, 0x42};
    }

    private static Stats bareLookup(Path dbFile, DemoSite demo, int size) throws Exception {
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            hashes.add(HexFormat.of().parseHex(demo.cards.hash(uid((int) ((i * 7919L) % size)))));
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
                PreparedStatement lookup = connection.prepareStatement("SELECT e.json FROM entity_card c"
                        + " CROSS JOIN entity e ON e.kind = 'credential' AND e.key = c.key WHERE c.card_hash = ?")) {
            long[] samples = new long[hashes.size()];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < hashes.size(); i++) {
                    long t0 = System.nanoTime();
                    lookup.setBytes(1, hashes.get(i));
                    try (ResultSet rows = lookup.executeQuery()) {
                        if (!rows.next()) {
                            throw new IllegalStateException("card " + i + " is not in the cache");
                        }
                        rows.getString(1);
                    }
                    samples[i] = System.nanoTime() - t0;
                }
            }
            return Stats.of(samples);
        }
    }

    /**
     * Taps a different granted card each time. Each sample runs from two starts to the relay's first
     * transition after the tap: the moment the agent's reader had the response frame in hand (the
     * issue's "from the serial frame arriving"), and the moment the emulator wrote it to the pty
     * (which adds the kernel's pty hop and the reader thread's wake-up).
     */
    private static Samples tapToRelay(
            SimulatedSite site, DoorController door, BlockingQueue<Decided> decisions, int warmup, int taps)
            throws Exception {
        Pn532Emulator nfc = site.nfc(DemoSite.NFC);
        RelayHistory relay = site.relay(DOOR);
        Samples path = new Samples(taps);
        decisions.clear();
        for (int i = 0; i < warmup + taps; i++) {
            int seen = relay.transitionNanos().size();
            nfc.holdCard(uid(i % (warmup + taps)));
            // Blocks until the decision is reported, after the relay moved: polling the relay meanwhile
            // would wake this thread every few tens of µs and take CPU from the path being measured.
            Decided decided = awaitDecision(decisions);
            long relayAt = awaitTransition(relay, seen);
            long frameAt = awaitChange(nfc::lastTargetWrittenNanos, 0);
            if (i >= warmup) {
                path.add(i - warmup, frameAt, decided.timeline(), relayAt);
            }
            nfc.removeCard();
            relock(door, relay);
        }
        return path;
    }

    private static Samples scanToRelay(
            SimulatedSite site,
            DoorController door,
            BlockingQueue<Decided> decisions,
            DemoSite demo,
            int warmup,
            int scans)
            throws Exception {
        RelayHistory relay = site.relay(DOOR);
        Samples path = new Samples(scans);
        decisions.clear();
        for (int i = 0; i < warmup + scans; i++) {
            Instant now = Instant.now();
            String token = QrTokens.issue(
                    new QrClaims(
                            DemoSite.TENANT,
                            Set.of(DemoSite.SITE),
                            QrKind.MEMBER,
                            "qr-0",
                            false,
                            now.minusSeconds(5),
                            now.plusSeconds(60),
                            QrTokens.newTokenId()),
                    demo.hubKey);
            int seen = relay.transitionNanos().size();
            long written = System.nanoTime();
            site.qrScanner(DemoSite.QR).scan(token);
            Decided decided = awaitDecision(decisions);
            long relayAt = awaitTransition(relay, seen);
            if (i >= warmup) {
                path.add(i - warmup, written, decided.timeline(), relayAt);
            }
            relock(door, relay);
        }
        return path;
    }

    /** The next decision, reported on the door's queue once the relay has been driven. */
    private static Decided awaitDecision(BlockingQueue<Decided> decisions) throws InterruptedException {
        Decided decided = decisions.poll(10, TimeUnit.SECONDS);
        if (decided == null) {
            throw new IllegalStateException("the relay moved but no decision was reported");
        }
        if (!decided.decision().granted()) {
            throw new IllegalStateException("denied: " + decided.decision());
        }
        return decided;
    }

    /** Per sample: the emulator's write, the decision's timeline, the relay's transition. */
    private static final class Samples {
        private final long[] written;
        private final long[] arrived;
        private final long[] decided;
        private final long[] queued;
        private final long[] recorded;
        private final long[] relay;

        Samples(int samples) {
            written = new long[samples];
            arrived = new long[samples];
            decided = new long[samples];
            queued = new long[samples];
            recorded = new long[samples];
            relay = new long[samples];
        }

        void add(int i, long writtenAt, Decided.Timeline timeline, long relayAt) {
            written[i] = writtenAt;
            arrived[i] = timeline.arrived();
            decided[i] = timeline.decided();
            queued[i] = timeline.queued();
            recorded[i] = timeline.recorded();
            relay[i] = relayAt;
        }

        Stats fromArrival() {
            return Stats.between(arrived, relay);
        }

        Stats fromWrite() {
            return Stats.between(written, relay);
        }

        String breakdown(String decideLabel) {
            return String.format(
                    "    of which p50 / p99: pty hop %s · %s (reader thread) %s · → door queue %s · outbox commit %s · relay drive %s",
                    Stats.between(written, arrived).pair(),
                    decideLabel,
                    Stats.between(arrived, decided).pair(),
                    Stats.between(decided, queued).pair(),
                    Stats.between(queued, recorded).pair(),
                    Stats.between(recorded, relay).pair());
        }
    }

    private static String ratio(String bare, Stats measured, Stats limit) {
        return String.format(
                "   ratio to %s: p50 %.1f×, p99 %.1f×",
                bare, measured.p50() / limit.p50(), measured.p99() / limit.p99());
    }

    private static String met(boolean met) {
        return met ? "met" : "NOT met";
    }

    private static Stats bareVerify(DemoSite demo) throws Exception {
        Instant now = Instant.now();
        String token = QrTokens.issue(
                new QrClaims(
                        DemoSite.TENANT,
                        Set.of(DemoSite.SITE),
                        QrKind.MEMBER,
                        "qr-0",
                        false,
                        now.minusSeconds(5),
                        now.plusSeconds(60),
                        QrTokens.newTokenId()),
                demo.hubKey);
        ECDSAVerifier verifier = new ECDSAVerifier(demo.hubKey.toPublicJWK());
        long[] samples = new long[2_000];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < samples.length; i++) {
                long t0 = System.nanoTime();
                if (!JWSObject.parse(token).verify(verifier)) {
                    throw new IllegalStateException("the token must verify");
                }
                samples[i] = System.nanoTime() - t0;
            }
        }
        return Stats.of(samples);
    }

    /** Ends the unlock at once (a lockdown cuts it short), then back to normal: the next sample starts locked. */
    private static void relock(DoorController door, RelayHistory relay) throws Exception {
        door.setMode(new DoorMode.Lockdown(Set.of("benchmark"))).get(5, TimeUnit.SECONDS);
        door.setMode(DoorMode.NORMAL).get(5, TimeUnit.SECONDS);
        if (relay.energised()) {
            throw new IllegalStateException("the door did not relock");
        }
    }

    private static long awaitTransition(RelayHistory relay, int seen) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<Long> nanos = relay.transitionNanos();
            if (nanos.size() > seen) {
                return nanos.get(seen);
            }
            // Park, don't spin: on two cores a spinning observer steals the core the agent's reader
            // and door threads need, and the measurement would be of the scheduler.
            LockSupport.parkNanos(50_000);
        }
        throw new IllegalStateException("the relay did not move within 10 s");
    }

    private static long awaitChange(LongSupplier value, long before) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            long now = value.getAsLong();
            if (now != before) {
                return now;
            }
            // Park, don't spin: on two cores a spinning observer steals the core the agent's reader
            // and door threads need, and the measurement would be of the scheduler.
            LockSupport.parkNanos(50_000);
        }
        throw new IllegalStateException("the reader never saw the card");
    }

    /** The real command in a child JVM with the Pi heap settings: time to "ready" and resident memory. */
    private static void process(DemoSite demo, int size) throws Exception {
        List<String> command = launcher.isPresent()
                ? List.of(launcher.get().toString(), "run", "--simulate", "--config", demo.configFile.toString())
                : List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED",
                        "-Djava.awt.headless=true",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.gatehouse.edge.cli.EdgeMain",
                        "run",
                        "--simulate",
                        "--config",
                        demo.configFile.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The launcher adds its own flags; these are the Pi heap settings the unit sets.
        builder.environment().put("JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long started = System.nanoTime();
        Process process = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ready in")) {
                // wait for the ready line
            }
            double wall = (System.nanoTime() - started) / 1e6;
            System.out.printf(
                    "  agent process%s with %,d credentials (-Xmx128m): ready %.0f ms after exec (JVM start included); %s%n",
                    launcher.map(l -> " from " + l).orElse(""),
                    size,
                    wall,
                    line == null ? "never ready" : line.substring(0, line.indexOf(':')));
            Thread.sleep(2_000);
            System.out.printf("  agent RSS when ready and idle: %s%n", rss(process.pid()));
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                return String.format(
                        "%.1f MB (target ≤ 256 MB: %s)", kb / 1024.0, kb <= 256 * 1024 ? "met" : "NOT met");
            }
        }
        return "unknown";
    }

    private record Stats(long count, double p50, double p99, double max) {
        static Stats between(long[] from, long[] to) {
            long[] samples = new long[from.length];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = to[i] - from[i];
            }
            return of(samples);
        }

        static Stats of(long[] samples) {
            long[] sorted = samples.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return new Stats(n, sorted[n / 2], sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)], sorted[n - 1]);
        }

        String line(String label) {
            return String.format(
                    "  %-54s p50 %8.1f µs   p99 %8.1f µs   max %8.1f µs   (n=%,d)",
                    label, p50 / 1000, p99 / 1000, max / 1000, count);
        }

        String pair() {
            return String.format("%.0f / %.0f µs", p50 / 1000, p99 / 1000);
        }
    }
}
