package dev.gatehouse.hub.e2e;

import static dev.gatehouse.hub.e2e.SyncResumeIT.create;
import static dev.gatehouse.hub.e2e.SyncResumeIT.head;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.Haproxy;
import dev.gatehouse.hub.testing.HubReplica;
import dev.gatehouse.hub.testing.MosquittoBroker;
import dev.gatehouse.hub.testing.PostgresServer;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.policy.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's rolling upgrade: hub replicas of release N and N+1 side by side on one PostgreSQL and
 * one Mosquitto behind haproxy, as cloud-hub/README.md's "Rolling upgrades" describes. Release N is
 * this build; N+1 is this build with {@code upgrade/next-release/} ahead on its class path, whose
 * test-only migrations (V9000: a new table, a nullable column and a column with a default on
 * {@code members}; V9001: an index built CONCURRENTLY on {@code access_events}) stand for the next
 * release's. So this proves the schema half (N starts, serves, publishes and ingests on a schema
 * migrated past its own; N+1 migrates under Flyway's lock while N takes traffic), not that two
 * different builds' code agrees on the wire, which the README says how else is held.
 *
 * <p>Steps: N (r1) serves two sites with real edge agents; while taps, member creations and plan
 * changes run through haproxy, N+1 (r2) starts and migrates; then another N (r3) starts on the
 * migrated schema; then r1 is stopped and started again as N+1 (r4, its port), the rolling step.
 * Every request answered without error, every event stored once, both sites follow every change,
 * and a suspension after the step reaches both doors.
 */
class RollingUpgradeIT {
    static final String CARD = "04A1B2C3D4E5F7";
    static final Duration WAIT = Duration.ofSeconds(120);

    record Site(String id, String door, EdgeSite edge) {}

    /** Requests and taps through haproxy on a thread of its own until stopped: the users during the upgrade. */
    static final class Traffic implements AutoCloseable {
        final List<String> emitted = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger rounds = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Traffic(Api api, String token, String plan, List<Site> sites) {
            thread = Thread.ofPlatform().name("rolling-upgrade-traffic").start(() -> {
                while (running.get()) {
                    int round = rounds.get();
                    try {
                        Api.Response made = api.post(
                                "/api/v1/members",
                                token,
                                "{\"email\":\"m" + round + "@rolling.example\",\"fullName\":\"Member " + round + "\"}");
                        if (made.status() != 201) {
                            errors.add("POST /api/v1/members: " + made);
                        } else {
                            String member = made.json().get("id").asText();
                            // A plan assignment appends to both sites' change logs: the lease holder publishes it.
                            Api.Response assigned =
                                    api.put("/api/v1/members/" + member + "/plans/" + plan, token, "{}");
                            if (assigned.status() / 100 != 2) {
                                errors.add("PUT plan: " + assigned);
                            }
                            Api.Response read = api.get("/api/v1/members/" + member, token);
                            if (read.status() != 200) {
                                errors.add("GET member: " + read);
                            }
                        }
                        for (Site site : sites) {
                            Decided decided = site.edge().tap(CARD);
                            emitted.add(decided.event().id());
                        }
                    } catch (RuntimeException e) {
                        errors.add("round " + round + ": " + e);
                    }
                    rounds.incrementAndGet();
                    try {
                        Thread.sleep(50); // pacing the load on a shared machine, not waiting for anything
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    @Test
    void replicasOfTwoReleasesServeSideBySideThroughTheUpgrade() throws Exception {
        if (MosquittoBroker.binary().isEmpty() || Haproxy.binary().isEmpty()) {
            System.out.println("NOTICE: RollingUpgradeIT skipped: it needs mosquitto and haproxy"
                    + " (apt-get install mosquitto haproxy)");
            Assumptions.abort("mosquitto or haproxy is not installed");
        }
        Path nextRelease = Path.of(Objects.requireNonNull(RollingUpgradeIT.class.getResource("/upgrade/next-release/"))
                .toURI());
        Path dir = Files.createTempDirectory("gatehouse-rolling");
        String jdbcUrl = PostgresServer.freshDatabase();
        String hubPassword = "hub-" + UUID.randomUUID();
        Path passwordFile = Files.writeString(dir.resolve("hub-password"), hubPassword + "\n");
        List<AutoCloseable> open = new ArrayList<>();
        try (MosquittoBroker broker =
                MosquittoBroker.start(dir.resolve("broker"), MqttSettings.HUB_USER, hubPassword)) {
            int portA = HubReplica.freePort();
            int portB = HubReplica.freePort();
            int portC = HubReplica.freePort();
            // Release N alone, as before the upgrade; haproxy already lists the ports the others will take.
            HubReplica r1 = HubReplica.start(
                    dir.resolve("r1"),
                    "hub-r1",
                    jdbcUrl,
                    broker.url(),
                    passwordFile,
                    Optional.empty(),
                    portA,
                    List.of());
            open.add(r1);
            Optional<Path> key = Optional.of(r1.keyFile());
            Haproxy proxy = Haproxy.start(dir.resolve("haproxy"), List.of(portA, portB, portC));
            open.add(proxy);
            Database store = Database.open(
                    new StoreSettings(dir.resolve("test"), Optional.of(jdbcUrl), "", "", 2),
                    new KeySettings(r1.keyFile(), Optional.empty()));
            open.add(store);
            Api api = new Api(proxy.port());
            String admin = Files.readString(r1.dataDir().resolve("admin-token")).strip();

            Api.Response tenant = api.post("/api/v1/tenants", admin, "{\"slug\":\"rolling\",\"name\":\"Rolling\"}");
            assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
            String token = tenant.json().get("token").asText();
            String tenantId = tenant.json().at("/tenant/id").asText();
            List<String> doorGroups = new ArrayList<>();
            List<String[]> made = new ArrayList<>();
            for (String name : List.of("East", "West")) {
                String site = create(
                        api,
                        token,
                        "/api/v1/sites",
                        "{\"name\":\"" + name + "\",\"address\":\"1 " + name + " St\",\"timeZone\":\"UTC\"}");
                String door = create(
                        api, token, "/api/v1/sites/" + site + "/doors", "{\"name\":\"Door\",\"unlockSeconds\":1}");
                doorGroups.add(create(
                        api,
                        token,
                        "/api/v1/sites/" + site + "/door-groups",
                        "{\"name\":\"G\",\"doorIds\":[\"" + door + "\"]}"));
                made.add(new String[] {site, door});
            }
            String plan = create(
                    api,
                    token,
                    "/api/v1/plans",
                    "{\"name\":\"P\",\"doorGroupIds\":[\"" + String.join("\",\"", doorGroups)
                            + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
            String member = create(
                    api, token, "/api/v1/members", "{\"email\":\"tapper@rolling.example\",\"fullName\":\"T Tapper\"}");
            api.put("/api/v1/members/" + member + "/plans/" + plan, token, "{}");
            create(
                    api,
                    token,
                    "/api/v1/members/" + member + "/credentials",
                    "{\"type\":\"nfc-card\",\"uid\":\"" + CARD + "\"}");
            List<Site> sites = new ArrayList<>();
            for (String[] siteAndDoor : made) {
                String device = create(api, token, "/api/v1/sites/" + siteAndDoor[0] + "/devices", "{\"name\":\"Pi\"}");
                JsonNode bundle = api.post("/api/v1/devices/" + device + "/provision", token, "")
                        .json();
                broker.addUser(device, bundle.at("/mqtt/password").asText());
                EdgeSite edge = EdgeSite.start(bundle, siteAndDoor[1], dir.resolve("site-" + siteAndDoor[0]));
                open.add(edge);
                sites.add(new Site(siteAndDoor[0], siteAndDoor[1], edge));
            }
            for (Site site : sites) {
                long head = head(api, token, site.id());
                await().atMost(WAIT).until(() -> site.edge().seq() >= head);
            }

            Traffic traffic = new Traffic(api, token, plan, sites);
            open.add(traffic);
            await().atMost(WAIT).until(() -> traffic.rounds.get() >= 3);

            // N+1 starts and migrates under Flyway's lock while N takes the traffic.
            int roundsBefore = traffic.rounds.get();
            HubReplica r2 = HubReplica.start(
                    dir.resolve("r2"), "hub-r2", jdbcUrl, broker.url(), passwordFile, key, portB, List.of(nextRelease));
            open.add(r2);
            assertThat(traffic.rounds.get())
                    .as("traffic went on while N+1 migrated")
                    .isGreaterThan(roundsBefore);
            List<String> applied =
                    store.read(c -> Sql.list(c, "SELECT version FROM flyway_schema_history WHERE success", Sql.STRING));
            assertThat(applied).contains("9000", "9001");
            // The replicas share the sites' leases (one each once N+1 has renewed): release N keeps at
            // least its share and publishes on the newer schema, and the plan changes made meanwhile
            // reach the edges whichever release publishes them.
            await().atMost(WAIT).until(() -> {
                List<String> holders = new ArrayList<>();
                for (Site site : sites) {
                    store.<Optional<String>>read(c -> Sql.one(
                                    c, "SELECT holder FROM sync_leases WHERE site_id = ?", Sql.STRING, site.id()))
                            .ifPresent(holders::add);
                }
                return holders.size() == sites.size()
                        && holders.stream()
                                .allMatch(h -> h.startsWith("r" + r1.pid() + "-") || h.startsWith("r" + r2.pid() + "-"))
                        && holders.stream().anyMatch(h -> h.startsWith("r" + r1.pid() + "-"));
            });
            for (Site site : sites) {
                long head = head(api, token, site.id());
                await().atMost(WAIT).until(() -> site.edge().seq() >= head);
            }

            // A replica of N starts on the schema N+1 migrated (its Flyway sees V9000 and V9001 as
            // future) and serves, also a member that N+1 gave a value in the new column.
            HubReplica r3 = HubReplica.start(
                    dir.resolve("r3"), "hub-r3", jdbcUrl, broker.url(), passwordFile, key, portC, List.of());
            open.add(r3);
            store.run(c -> Sql.update(c, "UPDATE members SET nickname = 'Tap', badge_count = 2 WHERE id = ?", member));
            Api.Response onN = new Api(r3.port()).get("/api/v1/members/" + member, token);
            assertThat(onN.status()).as(onN.toString()).isEqualTo(200);
            assertThat(new Api(r2.port())
                            .get("/api/v1/members/" + member, token)
                            .status())
                    .isEqualTo(200);

            // The rolling step: r1 (N) stops as systemd would stop it, and comes back as N+1 on its port.
            roundsBefore = traffic.rounds.get();
            r1.close();
            HubReplica r4 = HubReplica.start(
                    dir.resolve("r4"), "hub-r4", jdbcUrl, broker.url(), passwordFile, key, portA, List.of(nextRelease));
            open.add(r4);
            int afterStep = traffic.rounds.get();
            assertThat(afterStep).as("traffic went on through the rolling step").isGreaterThan(roundsBefore);
            await().atMost(WAIT).until(() -> traffic.rounds.get() >= afterStep + 3);
            traffic.close();
            assertThat(traffic.errors)
                    .as("requests and taps that failed during the upgrade")
                    .isEmpty();

            // Every site follows every change, whoever holds its lease now; a suspension reaches both doors.
            assertThat(api.patch("/api/v1/members/" + member, token, "{\"status\":\"suspended\"}")
                            .status())
                    .isEqualTo(200);
            List<String> emitted = new ArrayList<>(traffic.emitted);
            for (Site site : sites) {
                long head = head(api, token, site.id());
                await().atMost(WAIT).until(() -> site.edge().seq() >= head);
                Decided denied = site.edge().tap(CARD);
                assertThat(denied.decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));
                emitted.add(denied.event().id());
            }

            // Every event emitted at the doors is stored, once.
            for (Site site : sites) {
                await().atMost(WAIT).until(() -> site.edge().outboxDepth() == 0);
            }
            List<String> stored = store.read(
                    c -> Sql.list(c, "SELECT id FROM access_events WHERE tenant_id = ?", Sql.STRING, tenantId));
            assertThat(new HashSet<>(stored)).hasSameSizeAs(stored);
            assertThat(stored).containsExactlyInAnyOrderElementsOf(emitted);
            assertThat(List.of(r2, r3, r4)).allMatch(HubReplica::alive);
        } finally {
            for (AutoCloseable closeable : open.reversed()) {
                closeable.close();
            }
        }
    }
}
