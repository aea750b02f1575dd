package dev.gatehouse.hub.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.demo.EdgeSiteFiles;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.Haproxy;
import dev.gatehouse.hub.testing.HubReplica;
import dev.gatehouse.hub.testing.MosquittoBroker;
import dev.gatehouse.hub.testing.PostgresServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Issue 18's chaos harness. Real parts, each in a process of its own: PostgreSQL, one Mosquitto, two
 * hub replicas ({@code HubMain}) behind haproxy, and one edge agent per site ({@code gatehouse-edge run
 * --simulate}) inside a network namespace of its own, joined to the root namespace by a veth pair on
 * whose root address the broker also listens, with its data directory on a 16 MB tmpfs. Faults, chosen
 * with a seeded random: {@code kill-edge} (SIGKILL right after taps, then started again), {@code
 * kill-hub} (SIGKILL of one replica between taps; started again on its port in the background),
 * {@code broker-restart} (SIGKILL of Mosquitto, without persistence, and a new one after a while),
 * {@code partition} (the edge's veth taken down, or every packet dropped by {@code tc netem}, for a
 * few seconds), {@code disk-full} (the edge's tmpfs filled while it decides, then freed), {@code
 * clock-jump} (the simulated agent's clock moved hours forward, then back, then right, through {@code
 * sim clock}; the machine's clock is never touched).
 *
 * <p>Each fault: taps of three cards at every live edge (one always allowed, one suspended before the
 * run, one whose member the harness suspends and reactivates at the hub in turn, once per fault, so
 * there is always a change to sync), the fault, taps during it, the end of the fault, recovery (every
 * edge in sync with the hub's change log again), then every door's relay checked. At the end every
 * outbox is drained and the events stored at the hub are compared with those the doors emitted.
 *
 * <p>Definitions (also in cloud-hub/README.md): an event is <b>emitted</b> when a tap's decision
 * came back with an event id; <b>lost</b> when an emitted id is not in {@code access_events} after the
 * outboxes drained; <b>duplicated</b> for each row past the first with one id. A <b>wrong grant</b> is
 * a door opening for a card whose member the edge knew suspended — judged by the edge's cache seq read
 * just before and after the tap against the change seqs of the suspensions — and a <b>wrong refusal</b>
 * a refusal of a card whose member the edge knew active, unless the reason is one of the door's
 * documented degraded modes (clock untrusted, offline too long), counted apart as <b>degraded
 * refusals</b>; a tap whose seq before and after straddle a change is <b>ambiguous</b> and not judged.
 * A door is in its <b>safe state</b> when its simulated relay is at the locked level (de-energised for
 * a strike, energised for a maglock), read at least the unlock pulse after the last grant there.
 * <b>Restart to safe state</b> is from spawning the agent's process to its relay pin claimed at the
 * locked level (the simulator stamps the claim), JVM start included.
 */
public final class ChaosHarness implements AutoCloseable {
    public enum Fault {
        KILL_EDGE,
        KILL_HUB,
        BROKER_RESTART,
        PARTITION,
        DISK_FULL,
        CLOCK_JUMP;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Fault parse(String label) {
            for (Fault fault : values()) {
                if (fault.label().equals(label.strip())) {
                    return fault;
                }
            }
            throw new IllegalArgumentException("unknown fault '" + label + "'; the faults are "
                    + String.join(",", Arrays.stream(values()).map(Fault::label).toList()));
        }
    }

    /**
     * How long to inject faults, the random seed, which faults, how many of each at least (the run goes
     * on past {@code duration} until each ran that often), how many sites with an edge each, and how
     * long a partition lasts at most.
     */
    public record Options(
            Duration duration, long seed, List<Fault> faults, int minEach, int edges, Duration longestPartition) {
        public Options {
            if (faults.isEmpty()) {
                throw new IllegalArgumentException("name at least one fault");
            }
            if (edges < 1 || edges > 20) {
                throw new IllegalArgumentException("between 1 and 20 edges, not " + edges);
            }
        }
    }

    /** What one fault kind did over the run. */
    public static final class Tally {
        int injected;
        int taps;
        int unanswered;
        int wrongGrants;
        int wrongRefusals;
        int degradedRefusals;
        int ambiguous;
        int doorChecks;
        int unsafeDoors;
        int notRecovered;
        long emitted;
        long stored;
        long lost;
        long duplicated;
        long storedDifferently;
        final List<String> events = new ArrayList<>();
        final List<Long> restartMillis = new ArrayList<>();

        void add(Tally other) {
            injected += other.injected;
            taps += other.taps;
            unanswered += other.unanswered;
            wrongGrants += other.wrongGrants;
            wrongRefusals += other.wrongRefusals;
            degradedRefusals += other.degradedRefusals;
            ambiguous += other.ambiguous;
            doorChecks += other.doorChecks;
            unsafeDoors += other.unsafeDoors;
            notRecovered += other.notRecovered;
            emitted += other.emitted;
            stored += other.stored;
            lost += other.lost;
            duplicated += other.duplicated;
            storedDifferently += other.storedDifferently;
            restartMillis.addAll(other.restartMillis);
        }
    }

    /** The run's totals, for a test to assert on. */
    public record Totals(
            int injected,
            long emitted,
            long stored,
            long lost,
            long duplicated,
            long storedDifferently,
            int wrongGrants,
            int wrongRefusals,
            int unsafeDoors,
            int doorChecks,
            int notRecovered,
            int unanswered,
            List<String> problems) {}

    static final String ALLOWED = "04C4A0000000A1";
    static final String REVOKED = "04C4A0000000B2";
    static final String TOGGLED = "04C4A0000000C3";
    private static final Duration UNLOCK_PULSE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Set<String> DEGRADED =
            Set.of("CLOCK_UNTRUSTED", "CLOCK_UNTRUSTED_STAFF_ONLY", "OFFLINE_TOO_LONG", "OFFLINE_STAFF_ONLY");

    private final Options options;
    private final PrintStream out;
    private final Random random;
    private final Path dir;
    private final Map<Fault, Tally> tallies = new EnumMap<>(Fault.class);
    private final Map<String, String[]> decided = new HashMap<>(); // event id → {decision, fault}
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> firstStartMillis = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Thread hook;
    private String jdbcUrl;
    private MosquittoBroker broker;
    private final HubReplica[] replicas = new HubReplica[2];
    private final int[] replicaPorts = new int[2];
    private CompletableFuture<Void> replicaBack = CompletableFuture.completedFuture(null);
    private Path hubPasswordFile;
    private Api api;
    private String token;
    private String toggledMember;
    private boolean toggledActive = true;
    private final List<Site> sites = new ArrayList<>();
    private List<Host.Cut> cuts = List.of(Host.Cut.LINK_DOWN);

    /** A site, its edge, and the suspensions and reactivations of the toggled member in its change log. */
    private static final class Site {
        final String id;
        final EdgeProcess edge;
        final List<long[]> toggles = new ArrayList<>(); // {seq before, seq after, 1 active / 0 suspended}
        Instant lastGrant = Instant.EPOCH;

        Site(String id, EdgeProcess edge) {
            this.id = id;
            this.edge = edge;
        }

        /** 1 active, 0 suspended, -1 not known at cache seq {@code seq}. */
        int toggledActiveAt(long seq) {
            int state = 1;
            for (long[] toggle : toggles) {
                if (seq >= toggle[1]) {
                    state = (int) toggle[2];
                } else if (seq > toggle[0]) {
                    return -1;
                } else {
                    break;
                }
            }
            return state;
        }
    }

    private ChaosHarness(Options options, PrintStream out) throws IOException {
        this.options = options;
        this.out = out;
        this.random = new Random(options.seed());
        for (Fault fault : Fault.values()) {
            tallies.put(fault, new Tally());
        }
        this.dir = Files.createTempDirectory(Host.MOUNT_MARK + "-");
        this.hook = new Thread(this::tearDown, "chaos-clean-up");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Empty when this machine can run the harness (root, network namespaces, tc, mosquitto, haproxy). */
    public static Optional<String> unavailable() {
        if (MosquittoBroker.binary().isEmpty() || Haproxy.binary().isEmpty()) {
            return Optional.of("it needs mosquitto and haproxy (apt-get install mosquitto haproxy)");
        }
        return Host.unavailable();
    }

    /** Sets the world up, injects the faults, drains, counts and prints the report; answers the totals. */
    public static Totals run(Options options, PrintStream out) throws Exception {
        try (ChaosHarness harness = new ChaosHarness(options, out)) {
            harness.setUp();
            harness.inject();
            harness.drainAndCount();
            return harness.report();
        }
    }

    // ---------------------------------------------------------------- the world

    private void setUp() throws Exception {
        List<String> stale = Host.cleanUp();
        if (!stale.isEmpty()) {
            out.println("chaos: removed what an earlier run left: " + String.join(", ", stale));
        }
        out.printf(
                "chaos: seed %d, faults %s, %d edges, working in %s%n",
                options.seed(), options.faults().stream().map(Fault::label).toList(), options.edges(), dir);
        cuts = Host.cuts();
        if (!cuts.contains(Host.Cut.NETEM_LOSS)) {
            out.println("chaos: this kernel has no netem (sch_netem); partitions take a veth end down instead");
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 1; i <= options.edges(); i++) {
            Host.addNamespace(i);
            addresses.add(Host.brokerAddress(i));
        }
        jdbcUrl = PostgresServer.freshDatabase();
        String hubPassword = "hub-" + UUID.randomUUID();
        hubPasswordFile = Files.writeString(dir.resolve("hub-password"), hubPassword + "\n");
        broker = MosquittoBroker.start(dir.resolve("broker"), MqttSettings.HUB_USER, hubPassword, addresses);
        open.add(broker);
        replicaPorts[0] = HubReplica.freePort();
        replicaPorts[1] = HubReplica.freePort();
        startReplica(0);
        startReplica(1);
        Haproxy proxy = Haproxy.start(dir.resolve("haproxy"), List.of(replicaPorts[0], replicaPorts[1]));
        open.add(proxy);
        api = new Api(proxy.port());
        String admin =
                Files.readString(replicas[0].dataDir().resolve("admin-token")).strip();
        Api.Response tenant = call("POST", "/api/v1/tenants", admin, "{\"slug\":\"chaos\",\"name\":\"Chaos\"}");
        token = tenant.json().get("token").asText();
        List<String> groups = new ArrayList<>();
        List<String[]> made = new ArrayList<>();
        for (int i = 1; i <= options.edges(); i++) {
            String site = create(
                    "/api/v1/sites",
                    "{\"name\":\"Site " + i + "\",\"address\":\"" + i + " Chaos St\",\"timeZone\":\"UTC\"}");
            String door = create("/api/v1/sites/" + site + "/doors", "{\"name\":\"Door\",\"unlockSeconds\":1}");
            groups.add(create(
                    "/api/v1/sites/" + site + "/door-groups", "{\"name\":\"G\",\"doorIds\":[\"" + door + "\"]}"));
            made.add(new String[] {site, door});
        }
        String plan = create(
                "/api/v1/plans",
                "{\"name\":\"P\",\"doorGroupIds\":[\"" + String.join("\",\"", groups)
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
        member("allowed", ALLOWED, plan);
        String revoked = member("revoked", REVOKED, plan);
        call("PATCH", "/api/v1/members/" + revoked, token, "{\"status\":\"suspended\"}");
        toggledMember = member("toggled", TOGGLED, plan);
        String agentClassPath = AgentClassPath.jarsOnly(dir);
        for (int i = 1; i <= options.edges(); i++) {
            String site = made.get(i - 1)[0];
            String door = made.get(i - 1)[1];
            String device = create("/api/v1/sites/" + site + "/devices", "{\"name\":\"Pi " + i + "\"}");
            JsonNode bundle = call("POST", "/api/v1/devices/" + device + "/provision", token, "")
                    .json();
            broker.addUser(device, bundle.at("/mqtt/password").asText());
            Path siteDir = dir.resolve("e" + i);
            Path config = EdgeSiteFiles.write(
                    bundle,
                    siteDir,
                    List.of(new EdgeSiteFiles.SimDoor(
                            door,
                            "Door",
                            17,
                            27,
                            22,
                            List.of(new EdgeSiteFiles.SimReader("nfc-1", "pn532", "/dev/ttyS0")))),
                    "1s");
            // The edge reaches the broker over its veth pair; every second site's door is a maglock.
            boolean failSafe = i % 2 == 0;
            String yaml = Files.readString(config)
                    .replaceFirst("mqtt-url: .*", "mqtt-url: tcp://" + Host.brokerAddress(i) + ":" + broker.port())
                    .replace("unlock-pulse: 3s", "unlock-pulse: " + UNLOCK_PULSE.toSeconds() + "s");
            if (failSafe) {
                yaml = yaml.replace("lock: fail-secure", "lock: fail-safe");
            }
            Files.writeString(config, yaml);
            Path data = siteDir.resolve("data");
            Host.mountTmpfs(data, 16);
            EdgeProcess edge = new EdgeProcess(i, door, "nfc-1", failSafe, config, data, agentClassPath);
            open.add(edge);
            edge.start();
            sites.add(new Site(site, edge));
        }
        for (Site site : sites) {
            firstStartMillis.add(site.edge.awaitClaimed(WAIT).toMillis());
        }
        for (Site site : sites) {
            if (!inSync(site)) {
                throw new IOException("edge " + site.edge.index + " did not sync with the hub within " + WAIT
                        + "; its log:\n" + site.edge.logTail());
            }
        }
        out.printf(
                "chaos: %d hub replicas, Mosquitto, %d edges in sync; the edges' first start to safe state %s ms%n",
                replicas.length, sites.size(), firstStartMillis);
    }

    private void startReplica(int index) throws IOException {
        replicas[index] = HubReplica.start(
                dir.resolve("r" + (index + 1)),
                "hub-r" + (index + 1),
                jdbcUrl,
                broker.url(),
                hubPasswordFile,
                // The first replica makes the master key (and finds it again when restarted); the second is given it.
                index == 0 ? Optional.empty() : Optional.of(replicas[0].keyFile()),
                replicaPorts[index]);
    }

    private String member(String name, String card, String plan) {
        String member = create(
                "/api/v1/members", "{\"email\":\"" + name + "@chaos.example\",\"fullName\":\"" + name + " Member\"}");
        call("PUT", "/api/v1/members/" + member + "/plans/" + plan, token, "{}");
        create("/api/v1/members/" + member + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + card + "\"}");
        return member;
    }

    private String create(String path, String json) {
        return call("POST", path, token, json).json().get("id").asText();
    }

    /**
     * One API call through haproxy, tried again while it fails (a replica killed mid-request, both busy
     * restarting): every call the harness makes is idempotent or a create it needs once.
     */
    private Api.Response call(String method, String path, String bearer, String json) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                Api.Response response =
                        switch (method) {
                            case "POST" -> api.post(path, bearer, json);
                            case "PUT" -> api.put(path, bearer, json);
                            case "PATCH" -> api.patch(path, bearer, json);
                            default -> api.get(path, bearer);
                        };
                if (response.status() < 300) {
                    return response;
                }
                last = response.toString();
                if (response.status() < 500) {
                    break;
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                last = e.toString();
            }
            sleep(300);
        }
        throw new IllegalStateException(method + " " + path + " failed: " + last);
    }

    private long head(Site site) {
        return call("GET", "/api/v1/sites/" + site.id, token, "")
                .json()
                .get("changeSeq")
                .asLong();
    }

    private boolean inSync(Site site) {
        long head = head(site);
        return await(WAIT, () -> seq(site.edge) >= head);
    }

    private static long seq(EdgeProcess edge) {
        try {
            return edge.status().path("cacheSeq").asLong();
        } catch (IOException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- faults

    private void inject() throws Exception {
        long end = System.nanoTime() + options.duration().toNanos();
        List<Fault> bag = new ArrayList<>();
        int round = 0;
        while (System.nanoTime() < end || !eachRanEnough()) {
            if (bag.isEmpty()) {
                bag.addAll(options.faults());
                Collections.shuffle(bag, random);
            }
            Fault fault = bag.removeFirst();
            Site site = sites.get(random.nextInt(sites.size()));
            round++;
            long started = System.nanoTime();
            Tally tally = tallies.get(fault);
            tally.injected++;
            switch (fault) {
                case KILL_EDGE -> killEdge(site, tally);
                case KILL_HUB -> killHub(tally);
                case BROKER_RESTART -> restartBroker(tally);
                case PARTITION -> partition(site, tally);
                case DISK_FULL -> fillDisk(site, tally);
                case CLOCK_JUMP -> jumpClock(site, tally);
            }
            recover(tally);
            checkDoors(tally, "after " + fault.label());
            out.printf(
                    "chaos: %3d %-15s %-7s %6d ms  taps %d, unsafe doors %d, wrong %d%n",
                    round,
                    fault.label(),
                    fault == Fault.KILL_HUB || fault == Fault.BROKER_RESTART ? "" : "edge " + site.edge.index,
                    (System.nanoTime() - started) / 1_000_000,
                    tally.taps,
                    tally.unsafeDoors,
                    tally.wrongGrants + tally.wrongRefusals);
        }
    }

    private boolean eachRanEnough() {
        return options.faults().stream().allMatch(f -> tallies.get(f).injected >= options.minEach());
    }

    private void killEdge(Site site, Tally tally) throws Exception {
        tapAll(tally);
        site.edge.kill(); // right after its taps: their events may still be in its outbox only
        toggle();
        tapAll(tally);
        site.edge.start();
        Duration toSafe = site.edge.awaitClaimed(WAIT);
        tally.restartMillis.add(toSafe.toMillis());
        checkDoor(site, tally, "just after its restart");
        tapAll(tally);
    }

    private void killHub(Tally tally) throws Exception {
        replicaBack.get(); // both replicas up before one is killed again
        int victim = random.nextInt(replicas.length);
        tapAll(tally);
        replicas[victim].kill();
        tapAll(tally);
        toggle();
        tapAll(tally);
        replicaBack = CompletableFuture.runAsync(() -> {
            try {
                startReplica(victim);
            } catch (IOException e) {
                problems.add("hub replica " + (victim + 1) + " did not start again: " + e.getMessage());
            }
        });
    }

    private void restartBroker(Tally tally) throws Exception {
        tapAll(tally);
        broker.kill();
        tapAll(tally);
        toggle();
        sleep(500 + random.nextInt(2500));
        tapAll(tally);
        broker.startAgain();
        tapAll(tally);
    }

    private void partition(Site site, Tally tally) throws Exception {
        Host.Cut how = cuts.get(random.nextInt(cuts.size()));
        Host.cut(site.edge.index, how);
        try {
            tapAll(tally);
            toggle();
            long longest = Math.max(2000, options.longestPartition().toMillis());
            sleep(2000 + (long) (random.nextDouble() * (longest - 2000)));
            tapAll(tally);
            checkDoor(site, tally, "during a partition (" + how + ")");
        } finally {
            Host.restore(site.edge.index, how);
        }
        tapAll(tally);
    }

    private void fillDisk(Site site, Tally tally) throws Exception {
        Path filler = site.edge.dataDir.resolve("filler");
        byte[] block = new byte[256 * 1024];
        try (OutputStream fill = Files.newOutputStream(filler)) {
            while (true) {
                fill.write(block);
            }
        } catch (IOException full) {
            // the tmpfs is full
        }
        try {
            // One card at the full edge: it cannot record a decision, so it opens nothing and answers
            // nothing (each such tap waits out the control socket's 10 s).
            tapOthers(site, tally);
            tapWithoutRoom(site, tally);
            toggle();
            tapOthers(site, tally);
            checkDoor(site, tally, "with its disk full");
        } finally {
            Files.deleteIfExists(filler);
        }
        tapAll(tally);
    }

    private void jumpClock(Site site, Tally tally) throws Exception {
        int hours = 1 + random.nextInt(48);
        try {
            site.edge.clock("+" + hours + "h");
            tapAll(tally);
            checkDoor(site, tally, "with its clock " + hours + " h ahead");
            toggle();
            site.edge.clock("-" + hours + "h");
            tapAll(tally);
            checkDoor(site, tally, "with its clock " + hours + " h behind");
        } finally {
            site.edge.clock("0");
        }
        tapAll(tally);
    }

    /** Suspends or reactivates the toggled member at the hub, noting the change's seq at every site. */
    private void toggle() {
        toggledActive = !toggledActive;
        Map<Site, Long> before = new HashMap<>();
        for (Site site : sites) {
            before.put(site, head(site));
        }
        call(
                "PATCH",
                "/api/v1/members/" + toggledMember,
                token,
                "{\"status\":\"" + (toggledActive ? "active" : "suspended") + "\"}");
        for (Site site : sites) {
            site.toggles.add(new long[] {before.get(site), head(site), toggledActive ? 1 : 0});
        }
    }

    /** Waits until every edge is in sync with the hub again; an edge that is not counts as not recovered. */
    private void recover(Tally tally) throws Exception {
        for (Site site : sites) {
            if (!site.edge.alive()) {
                problems.add("edge " + site.edge.index + " died; its log:\n" + site.edge.logTail());
                tally.notRecovered++;
                site.edge.start();
                site.edge.awaitClaimed(WAIT);
            }
            if (!inSync(site)) {
                tally.notRecovered++;
                problems.add("edge " + site.edge.index + " was not in sync " + WAIT + " after the fault (seq "
                        + seq(site.edge) + ", hub " + head(site) + ")");
            }
        }
    }

    // ---------------------------------------------------------------- taps and doors

    private void tapAll(Tally tally) {
        for (Site site : sites) {
            if (!site.edge.alive()) {
                continue;
            }
            List<String> cards = new ArrayList<>(List.of(ALLOWED, REVOKED, TOGGLED));
            Collections.shuffle(cards, random);
            for (String card : cards) {
                tap(site, card, tally);
            }
        }
    }

    private void tapOthers(Site except, Tally tally) {
        for (Site site : sites) {
            if (site != except && site.edge.alive()) {
                tap(site, ALLOWED, tally);
                tap(site, TOGGLED, tally);
            }
        }
    }

    /**
     * A valid card at an edge whose disk is full: the agent commits an event before it moves a relay,
     * so with no room it refuses without a decision and the door stays locked. Counted as a degraded
     * refusal when no decision came back, and judged as any tap when one did.
     */
    private void tapWithoutRoom(Site site, Tally tally) {
        tap(site, ALLOWED, tally, true);
    }

    private void tap(Site site, String card, Tally tally) {
        tap(site, card, tally, false);
    }

    private void tap(Site site, String card, Tally tally, boolean noRoom) {
        tally.taps++;
        long before = seq(site.edge);
        JsonNode answer;
        try {
            answer = site.edge.tap(card);
        } catch (IOException e) {
            if (noRoom) {
                tally.degradedRefusals++;
                return;
            }
            tally.unanswered++;
            problems.add("a tap at edge " + site.edge.index + " got no decision: " + e.getMessage());
            return;
        }
        long after = seq(site.edge);
        String decision = answer.path("decision").asText();
        String eventId = answer.path("eventId").asText();
        boolean granted = decision.startsWith("GRANTED");
        if (granted) {
            site.lastGrant = Instant.now();
        }
        tally.events.add(eventId);
        decided.put(eventId, new String[] {decision, card});
        int expected =
                switch (card) {
                    case ALLOWED -> 1;
                    case REVOKED -> 0;
                    default -> {
                        int a = site.toggledActiveAt(before);
                        int b = site.toggledActiveAt(after);
                        yield a == b ? a : -1;
                    }
                };
        if (before < 0 || after < 0 || expected < 0) {
            tally.ambiguous++;
        } else if (expected == 0 && granted) {
            tally.wrongGrants++;
            problems.add("WRONG GRANT at edge " + site.edge.index + ": " + card + " (suspended as of seq " + before
                    + ") " + decision + " " + eventId);
        } else if (expected == 1 && !granted) {
            String reason = decision.replaceFirst("^DENIED ", "").replaceFirst(":.*", "");
            if (DEGRADED.contains(reason)) {
                tally.degradedRefusals++;
            } else {
                tally.wrongRefusals++;
                problems.add("WRONG REFUSAL at edge " + site.edge.index + ": " + card + " (active as of seq " + before
                        + ") " + decision + " " + eventId);
            }
        }
    }

    private void checkDoors(Tally tally, String when) {
        for (Site site : sites) {
            checkDoor(site, tally, when);
        }
    }

    /** The door's relay after the unlock pulse of its last grant: at its locked level, or counted unsafe. */
    private void checkDoor(Site site, Tally tally, String when) {
        Instant settled = site.lastGrant.plus(UNLOCK_PULSE).plusMillis(300);
        long wait = Duration.between(Instant.now(), settled).toMillis();
        if (wait > 0) {
            sleep(wait);
        }
        tally.doorChecks++;
        try {
            JsonNode relay = site.edge.relay();
            boolean energised = relay.path("energised").asBoolean();
            boolean locked = site.edge.failSafe == energised;
            if (!locked || !relay.has("claimedAt")) {
                tally.unsafeDoors++;
                JsonNode door = site.edge.status().path("doors").path(0);
                problems.add("UNSAFE DOOR at edge " + site.edge.index + " " + when + ": relay "
                        + (energised ? "energised" : "released") + " on a "
                        + (site.edge.failSafe ? "maglock" : "strike") + ", door "
                        + door.path("state").asText()
                        + "/" + door.path("mode").asText());
            }
        } catch (IOException e) {
            tally.unsafeDoors++;
            problems.add("edge " + site.edge.index + "'s door could not be read " + when + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- counting and the report

    private void drainAndCount() throws Exception {
        replicaBack.get();
        for (Site site : sites) {
            boolean drained = await(Duration.ofMinutes(3), () -> {
                try {
                    return site.edge.status().path("outboxDepth").asLong() == 0;
                } catch (IOException e) {
                    return false;
                }
            });
            if (!drained) {
                problems.add("edge " + site.edge.index + "'s outbox did not drain within 3 minutes");
            }
        }
        Map<String, Integer> rows = new HashMap<>();
        Map<String, Boolean> storedGranted = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                PreparedStatement select = c.prepareStatement("SELECT id, granted FROM access_events WHERE tenant_id ="
                        + " (SELECT id FROM tenants WHERE slug = 'chaos')");
                ResultSet r = select.executeQuery()) {
            while (r.next()) {
                rows.merge(r.getString(1), 1, Integer::sum);
                storedGranted.put(r.getString(1), r.getBoolean(2));
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the hub's access events: " + e.getMessage(), e);
        }
        for (Tally tally : tallies.values()) {
            tally.emitted = tally.events.size();
            for (String id : tally.events) {
                int count = rows.getOrDefault(id, 0);
                if (count == 0) {
                    tally.lost++;
                    problems.add("LOST event " + id + " (" + decided.get(id)[0] + ")");
                } else {
                    tally.stored++;
                    tally.duplicated += count - 1;
                    if (storedGranted.get(id) != decided.get(id)[0].startsWith("GRANTED")) {
                        tally.storedDifferently++;
                        problems.add("event " + id + " stored with another outcome than " + decided.get(id)[0]);
                    }
                }
            }
        }
        long unknown =
                rows.keySet().stream().filter(id -> !decided.containsKey(id)).count();
        if (unknown > 0) {
            problems.add(unknown + " events stored at the hub that no tap of the harness reported");
        }
    }

    private Totals report() {
        Tally total = new Tally();
        out.println();
        out.printf(
                "%-15s %8s %6s %8s %7s %5s %5s %6s %7s %8s %10s %9s %11s %7s %9s%n",
                "fault",
                "injected",
                "taps",
                "emitted",
                "stored",
                "lost",
                "dup",
                "wrong+",
                "wrong-",
                "degraded",
                "unanswered",
                "ambiguous",
                "door-checks",
                "unsafe",
                "unrecov");
        for (Fault fault : options.faults()) {
            Tally tally = tallies.get(fault);
            row(fault.label(), tally);
            total.add(tally);
        }
        row("total", total);
        out.println("(wrong+: a door opened for a suspended member; wrong-: an active member refused for no"
                + " degraded mode; degraded: refused by the door's untrusted-clock or offline policy)");
        List<Long> restarts = new ArrayList<>(total.restartMillis);
        out.printf(
                "restart to safe state (spawning the agent's JVM → its relay claimed at the locked level):"
                        + " %d restarts, p50 %s ms, p99 %s ms, max %s ms (target 1 s); first starts %s ms%n",
                restarts.size(),
                percentile(restarts, 50),
                percentile(restarts, 99),
                restarts.isEmpty() ? "-" : Collections.max(restarts),
                firstStartMillis);
        if (!problems.isEmpty()) {
            out.println("problems:");
            problems.stream().limit(50).forEach(p -> out.println("  " + p));
        }
        return new Totals(
                total.injected,
                total.emitted,
                total.stored,
                total.lost,
                total.duplicated,
                total.storedDifferently,
                total.wrongGrants,
                total.wrongRefusals,
                total.unsafeDoors,
                total.doorChecks,
                total.notRecovered,
                total.unanswered,
                List.copyOf(problems));
    }

    private void row(String name, Tally t) {
        out.printf(
                "%-15s %8d %6d %8d %7d %5d %5d %6d %7d %8d %10d %9d %11d %7d %9d%n",
                name,
                t.injected,
                t.taps,
                t.emitted,
                t.stored,
                t.lost,
                t.duplicated,
                t.wrongGrants,
                t.wrongRefusals,
                t.degradedRefusals,
                t.unanswered,
                t.ambiguous,
                t.doorChecks,
                t.unsafeDoors,
                t.notRecovered);
    }

    static String percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return Long.toString(sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))));
    }

    private static boolean await(Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            sleep(100);
        }
        return condition.getAsBoolean();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- clean-up

    /** Stops every process, then removes the namespaces, veth pairs and mounts; safe to call twice. */
    private synchronized void tearDown() {
        for (AutoCloseable closeable : open.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                // go on: everything else must still be removed
            }
        }
        open.clear();
        for (HubReplica replica : replicas) {
            if (replica != null) {
                try {
                    replica.close();
                } catch (Exception e) {
                    // go on
                }
            }
        }
        Host.cleanUp();
    }

    @Override
    public void close() {
        replicaBack.cancel(true);
        tearDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs or ran
        }
    }
}
