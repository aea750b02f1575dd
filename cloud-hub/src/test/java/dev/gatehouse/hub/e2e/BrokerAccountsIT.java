package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.devices.BrokerAccountException;
import dev.gatehouse.hub.devices.DeviceAccount;
import dev.gatehouse.hub.devices.DeviceAccounts;
import dev.gatehouse.hub.mqtt.BrokerAccountSettings;
import dev.gatehouse.hub.mqtt.EdgeMessages;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.mqtt.PahoDynsecAccounts;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.DynsecMosquitto;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Device accounts on an external Mosquitto kept by the hub through the dynamic-security plugin
 * ({@code hub.mqtt.accounts.kind: mosquitto-dynsec}): a Mosquitto of the test's own on a free port,
 * whose accounts file {@code mosquitto_ctrl dynsec init} made with an admin account only. The hub makes
 * its own account and every device's; a device provisioned through the API logs in at once and may use
 * only its own topics, a rotated password is refused and its connection dropped, a retired device too,
 * and reconciling (at start, or asked) makes good accounts the broker lost or re-enabled by hand. Each
 * step prints the time from the hub's answer to the broker accepting or refusing (measured, never
 * asserted). Skips, saying so, where Mosquitto or its plugin is not installed; {@code .ci/run}
 * installs it.
 */
class BrokerAccountsIT {
    private static final String ADMIN = "dynsec-admin";
    private static final List<String> FIGURES = new ArrayList<>();

    private static Path dir;
    private static String adminPassword;
    private static DynsecMosquitto broker;
    private static SyncedHub hub;
    private static String token;
    private static String tenantId;
    private static String slug;
    private static String site;
    private static String door;

    @BeforeAll
    static void startBrokerAndHub() throws Exception {
        Optional<String> missing = DynsecMosquitto.missing();
        if (missing.isPresent()) {
            System.out.println("NOTICE: BrokerAccountsIT skipped: " + missing.get());
            Assumptions.abort("Mosquitto's dynamic security is not installed: " + missing.get());
        }
        dir = Files.createTempDirectory("gatehouse-dynsec");
        adminPassword = "admin-" + UUID.randomUUID();
        broker = DynsecMosquitto.start(dir.resolve("broker"), ADMIN, adminPassword);
        Path adminFile = ownerOnly(dir.resolve("dynsec-admin-password"), adminPassword + "\n");
        Path hubFile = ownerOnly(dir.resolve("hub-password"), "hub-" + UUID.randomUUID() + "\n");
        MqttSettings settings = SyncedHub.external(broker.url(), hubFile, "gatehouse-hub-dynsec")
                .withAccounts(BrokerAccountSettings.mosquittoDynsec(ADMIN, adminFile));
        hub = new SyncedHub(StoreKind.SQLITE, settings);
        // The hub made its own account (the broker had only the admin) and its link logged in with it.
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.hub().mqttLink().connected());
        Api.Response tenant =
                hub.api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"dyn\",\"name\":\"Dynsec\"}");
        token = tenant.json().get("token").asText();
        tenantId = tenant.json().at("/tenant/id").asText();
        slug = "dyn";
        site = create("/api/v1/sites", "{\"name\":\"D\",\"address\":\"1 D St\",\"timeZone\":\"UTC\"}");
        door = create("/api/v1/sites/" + site + "/doors", "{\"name\":\"Door\",\"unlockSeconds\":1}");
    }

    @AfterAll
    static void stop() {
        FIGURES.forEach(System.out::println);
        if (hub != null) {
            hub.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A provisioned device logs in at once and is held to its own topics, as on the embedded broker. */
    @Test
    void aProvisionedDeviceLogsInAndUsesOnlyItsOwnTopics() throws Exception {
        String a = device("A");
        String b = device("B");
        String passwordB = provision(b);
        long start = System.nanoTime();
        String passwordA = provision(a);
        long answered = System.nanoTime();
        FakeEdge edgeA = connectWhenAccepted(a, passwordA, "enrol (provision) → login accepted", start, answered);
        try (edgeA;
                FakeEdge edgeB = FakeEdge.connect(broker.url(), b, b, passwordB);
                FakeEdge observer =
                        FakeEdge.connect(broker.url(), "observer-" + UUID.randomUUID(), ADMIN, adminPassword)) {
            observer.subscribe(Topic.ROOT + "/" + Topic.VERSION + "/#");
            assertThat(edgeA.subscribeInbox(slug, site, a)[0]).isLessThan(0x80);
            // Another device's topics: the subscription is refused, a publish gets PUBACK 0x87 and goes nowhere.
            assertThat(edgeA.subscribe(Topic.ROOT + "/" + Topic.VERSION + "/" + slug + "/" + site + "/" + b + "/#")[0])
                    .isGreaterThanOrEqualTo(0x80);
            String forged = "forged-" + UUID.randomUUID();
            assertThat(edgeA.publish(Topic.of(slug, site, b, Channel.EVENTS), event(forged))[0])
                    .isGreaterThanOrEqualTo(0x80);
            // Its own topic: accepted, delivered, and ingested by the hub through its shared subscription.
            String own = "own-" + UUID.randomUUID();
            assertThat(edgeA.publish(Topic.of(slug, site, a, Channel.EVENTS), event(own))[0])
                    .isLessThan(0x80);
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.received().stream()
                    .anyMatch(r -> r.payload().contains(own)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.accessEvents(tenantId).ids().contains(own));
            assertThat(observer.received()).noneMatch(r -> r.payload().contains(forged));
            assertThat(edgeB.received()).noneMatch(r -> r.payload().contains(forged));
            assertThat(hub.accessEvents(tenantId).ids()).doesNotContain(forged);
        }
        // The device's id is the only client id its account may use.
        assertThatThrownBy(() -> FakeEdge.connect(broker.url(), "not-" + a, a, passwordA))
                .isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> FakeEdge.connect(broker.url(), a, a, passwordA + "x"))
                .isInstanceOf(MqttException.class);
    }

    /** Rotating (provisioning again) refuses the old password at once and drops its connection. */
    @Test
    void rotatingRefusesTheOldPasswordAndDropsItsConnection() throws Exception {
        String a = device("Rotated");
        String old = provision(a);
        try (FakeEdge connected = FakeEdge.connect(broker.url(), a, a, old)) {
            long start = System.nanoTime();
            String fresh = provision(a);
            long answered = System.nanoTime();
            assertThat(fresh).isNotEqualTo(old);
            awaitDropped(connected, "rotate → old connection dropped", start, answered);
            refusedWhen(a, old, "rotate → old password refused", start, answered);
            connectWhenAccepted(a, fresh, "rotate → new password accepted", start, answered)
                    .close();
        }
    }

    /** Retiring disables the account: a new login is refused and the open connection dropped. */
    @Test
    void retiringRefusesTheDeviceAndDropsItsConnection() throws Exception {
        String a = device("Retired");
        String password = provision(a);
        try (FakeEdge connected = FakeEdge.connect(broker.url(), a, a, password)) {
            long start = System.nanoTime();
            Api.Response retired = hub.api().patch("/api/v1/devices/" + a, token, "{\"status\":\"retired\"}");
            long answered = System.nanoTime();
            assertThat(retired.status()).as(retired.toString()).isEqualTo(200);
            awaitDropped(connected, "retire → connection dropped", start, answered);
            refusedWhen(a, password, "retire → login refused", start, answered);
        }
        assertThat(broker.ctrl(ADMIN, adminPassword, "getClient", a)).contains("Disabled:", "true");
    }

    /**
     * Reconciling makes the broker what the store says: an account the broker lost is made again with
     * the device's password, and a retired device's account enabled by hand is disabled again.
     */
    @Test
    void reconcilingRestoresLostAccountsAndDisablesRetiredOnes() throws Exception {
        String lost = device("Lost");
        String lostPassword = provision(lost);
        String retired = device("Gone");
        String retiredPassword = provision(retired);
        hub.api().patch("/api/v1/devices/" + retired, token, "{\"status\":\"retired\"}");
        broker.ctrl(ADMIN, adminPassword, "deleteClient", lost);
        broker.ctrl(ADMIN, adminPassword, "enableClient", retired);
        assertThatThrownBy(() -> FakeEdge.connect(broker.url(), lost, lost, lostPassword))
                .isInstanceOf(MqttException.class);
        FakeEdge.connect(broker.url(), retired, retired, retiredPassword).close();

        DeviceAccounts.Reconciled done = hub.hub().mqtt().deviceAccounts().reconcile();

        assertThat(done.enrolled()).isGreaterThanOrEqualTo(1);
        assertThat(done.retired()).isGreaterThanOrEqualTo(1);
        assertThat(done.problems()).isEmpty();
        FakeEdge.connect(broker.url(), lost, lost, lostPassword).close();
        assertThatThrownBy(() -> FakeEdge.connect(broker.url(), retired, retired, retiredPassword))
                .isInstanceOf(MqttException.class);
        // Nothing left to do: a second run changes nothing (and kicks nobody).
        assertThat(hub.hub().mqtt().deviceAccounts().reconcile())
                .satisfies(
                        again -> assertThat(again.enrolled() + again.retired()).isZero());
    }

    /** A hub that starts finds and makes the accounts the broker lost while it was away. */
    @Test
    void theHubReconcilesWhenItStarts() throws Exception {
        String lost = device("Restart");
        String password = provision(lost);
        hub.stop();
        try {
            broker.ctrl(ADMIN, adminPassword, "deleteClient", lost);
        } finally {
            hub.start();
        }
        long start = System.nanoTime();
        connectWhenAccepted(lost, password, "hub started → lost account made again", start, start)
                .close();
    }

    /** An admin the broker refuses is a clear error on every change, and the hub keeps trying. */
    @Test
    void aRefusedAdminSaysWhatIsWrong() {
        try (PahoDynsecAccounts wrong = PahoDynsecAccounts.connect(
                broker.url(), "wrong-admin-" + UUID.randomUUID(), ADMIN, "not-the-password", Duration.ofMillis(500))) {
            assertThat(wrong.ready()).isFalse();
            assertThatThrownBy(() -> wrong.enrol(new DeviceAccount("dev_nobody", slug, site), "secret"))
                    .isInstanceOf(BrokerAccountException.class)
                    .hasMessageContaining("not connected to Mosquitto dynamic security at " + broker.url())
                    .hasMessageContaining(ADMIN);
        }
    }

    private static String create(String path, String json) {
        Api.Response response = hub.api().post(path, token, json);
        assertThat(response.status()).as("POST " + path + ": " + response).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private static String device(String name) {
        return create("/api/v1/sites/" + site + "/devices", "{\"name\":\"" + name + "\"}");
    }

    /** Provisions the device through the API (a new password each time) and answers its password. */
    private static String provision(String device) {
        Api.Response response = hub.api().post("/api/v1/devices/" + device + "/provision", token, "");
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().at("/mqtt/password").asText();
    }

    /** Logs in as the device as soon as the broker lets it; the first try is right after the hub answered. */
    private static FakeEdge connectWhenAccepted(
            String device, String password, String what, long start, long answered) {
        AtomicReference<FakeEdge> edge = new AtomicReference<>();
        AtomicInteger tries = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .ignoreExceptions()
                .until(() -> {
                    tries.incrementAndGet();
                    edge.set(FakeEdge.connect(broker.url(), device, device, password));
                    return true;
                });
        figure(what, start, answered, tries.get());
        return edge.get();
    }

    private static void refusedWhen(String device, String password, String what, long start, long answered) {
        AtomicInteger tries = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    tries.incrementAndGet();
                    try (FakeEdge ignored = FakeEdge.connect(broker.url(), device, device, password)) {
                        return false;
                    } catch (MqttException refused) {
                        return true;
                    }
                });
        figure(what, start, answered, tries.get());
    }

    private static void awaitDropped(FakeEdge edge, String what, long start, long answered) {
        await().atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> !edge.connected());
        figure(what, start, answered, 0);
    }

    /**
     * Prints how long the hub's call took (the API answers after the broker confirmed the change) and
     * when the broker was seen to act on it, from the call's start; {@code tries} 1 means the first
     * login after the answer already saw the change (0: no login, a connection was watched).
     */
    private static void figure(String what, long start, long answered, int tries) {
        String line = String.format(
                "BROKER-ACCOUNTS %-40s hub call %6.1f ms; seen %6.1f ms after the call began (login tries: %d)",
                what, (answered - start) / 1e6, (System.nanoTime() - start) / 1e6, tries);
        System.out.println(line);
        FIGURES.add(line);
    }

    private static byte[] event(String id) {
        return EdgeMessages.accessEvent(id, site, door);
    }

    private static Path ownerOnly(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
