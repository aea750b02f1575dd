package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.sync.SyncClient;
import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.mqtt.BrokerAccountSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.secrets.TlsSettings;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeCli;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.TestPki;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Pi under a hub whose certificate comes from the operator's own CA, as the README's install steps
 * go: the hub serves HTTPS and MQTT over TLS with a certificate from a throwaway CA ({@link TestPki}),
 * a technician enrolls a simulated Pi with {@code gatehouse-edge enroll https://… CODE --ca-file
 * ca.pem}, maps its door, and the agent syncs with the hub over {@code ssl://}. Without the CA neither
 * the enrollment nor the link trusts the hub, and each says which key to set; a certificate for another
 * name is refused even from the trusted CA (host names stay verified).
 */
class EdgePrivateCaTest {
    static TestPki pki;
    static Hub hub;
    static Api api;
    static int brokerPort;
    static String token;
    static String site;
    static String door;

    @BeforeAll
    static void start(@TempDir Path temp) throws Exception {
        // The certificate names localhost only: reached as 127.0.0.1, the hub must be refused.
        pki = TestPki.create(temp.resolve("pki"), "dns:localhost");
        try (ServerSocket socket = new ServerSocket(0)) {
            brokerPort = socket.getLocalPort();
        }
        MqttSettings mqtt = new MqttSettings(
                true,
                true,
                "127.0.0.1",
                brokerPort,
                Optional.empty(),
                MqttSettings.HUB_USER,
                Optional.empty(),
                Optional.of("ssl://localhost:" + brokerPort),
                MqttSettings.HUB_USER,
                BrokerAccountSettings.manual());
        Path data = temp.resolve("hub");
        hub = Hub.start(
                HubConfig.forTests(data, StoreSettings.sqlite(data))
                        .withMqtt(mqtt)
                        .withTls(TlsSettings.of(pki.certificate(), pki.privateKey())),
                Clock.systemUTC());
        api = Api.https("localhost", hub.port(), pki.trustingCa());
        String admin = Files.readString(data.resolve("admin-token")).strip();
        token = api.post("/api/v1/tenants", admin, "{\"slug\":\"private-ca\",\"name\":\"Private CA\"}")
                .json()
                .get("token")
                .asText();
        site = created("/api/v1/sites", "{\"name\":\"HQ\",\"address\":\"Street 1\",\"timeZone\":\"UTC\"}");
        door = created("/api/v1/sites/" + site + "/doors", "{\"name\":\"Front\"}");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void aPiEnrolledWithTheCaFileSyncsWithTheHubOverTls(@TempDir Path dir) throws Exception {
        EdgeCli enrolled = enroll("https://localhost:" + hub.port(), enrollmentCode("pi-trusting"), dir, "--ca-file");
        assertThat(enrolled.exit()).as(enrolled.toString()).isZero();
        assertThat(enrolled.out()).contains("hub-ca.pem");

        EdgeConfig config = mapDoor(dir, yaml -> yaml);
        EdgeConfig.Hub link = config.hub().orElseThrow();
        assertThat(link.mqttUrl()).isEqualTo("ssl://localhost:" + brokerPort);
        assertThat(link.caFile()).contains(dir.resolve("hub-ca.pem"));

        try (EdgeSite edge = EdgeSite.startAgain(door, dir, dir.resolve("gatehouse.yaml"))) {
            SyncClient sync = edge.agent.sync().orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(sync::connected);
            // A change at the hub reaches the Pi as a signed batch over TLS, and the Pi's state comes back.
            created("/api/v1/members", "{\"email\":\"tls@example.com\",\"fullName\":\"Over TLS\"}");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode state =
                        api.get("/api/v1/sites/" + site + "/sync", token).json();
                long head = state.get("headSeq").asLong();
                assertThat(edge.seq()).isEqualTo(head);
                assertThat(state.get("devices"))
                        .anySatisfy(device -> assertThat(device.get("online").asBoolean()
                                        && device.get("lag").asLong() == 0)
                                .isTrue());
            });
            assertThat(sync.problems()).noneMatch(problem -> problem.contains("certificate"));
        }
    }

    @Test
    void withoutTheCaFileNeitherTheEnrollmentNorTheLinkTrustsTheHub(@TempDir Path dir) throws Exception {
        EdgeCli refused = enroll("https://localhost:" + hub.port(), enrollmentCode("pi-untrusting"), dir);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("untrusted certificate", "set --ca-file", "nothing was written");
        assertThat(dir.resolve("gatehouse.yaml")).doesNotExist();

        // Enrolled with the CA, then started without hub.ca-file: the link stays down and says why.
        EdgeCli enrolled = enroll("https://localhost:" + hub.port(), enrollmentCode("pi-forgetful"), dir, "--ca-file");
        assertThat(enrolled.exit()).as(enrolled.toString()).isZero();
        mapDoor(dir, yaml -> yaml.replaceAll("(?m)^  ca-file: .*\\n", ""));
        assertUntrustedLink(dir, "set hub.ca-file to its certificate");
    }

    @Test
    void aCertificateForAnotherNameIsRefusedThoughItsCaIsTrusted(@TempDir Path dir) throws Exception {
        // Why: trusting a CA must not mean trusting every certificate it signed for any host.
        EdgeCli refused = enroll("https://127.0.0.1:" + hub.port(), enrollmentCode("pi-by-address"), dir, "--ca-file");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("does not name 127.0.0.1", "nothing was written");

        EdgeCli enrolled = enroll("https://localhost:" + hub.port(), enrollmentCode("pi-renamed"), dir, "--ca-file");
        assertThat(enrolled.exit()).as(enrolled.toString()).isZero();
        mapDoor(dir, yaml -> yaml.replace("ssl://localhost:", "ssl://127.0.0.1:"));
        assertUntrustedLink(dir, "does not name 127.0.0.1");
    }

    /** The agent on {@code dir}'s config never connects, and its status and selftest give {@code advice}. */
    private static void assertUntrustedLink(Path dir, String advice) throws Exception {
        try (EdgeSite edge = EdgeSite.startAgain(door, dir, dir.resolve("gatehouse.yaml"))) {
            SyncClient sync = edge.agent.sync().orElseThrow();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sync.problems().stream().anyMatch(problem -> problem.contains(advice)));
            assertThat(sync.connected()).isFalse();
        }
        EdgeCli selftest = EdgeCli.run(
                "selftest", "--config", dir.resolve("gatehouse.yaml").toString());
        assertThat(selftest.out()).containsPattern("FAIL  hub: .*" + advice);
    }

    /** A new device of the site and its one-time code, as the console's "Add a device" gives them. */
    private static String enrollmentCode(String name) {
        String device = created("/api/v1/sites/" + site + "/devices", "{\"name\":\"" + name + "\"}");
        Api.Response issued = api.post("/api/v1/devices/" + device + "/enrollment-codes", token, "");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        return issued.json().get("code").asText();
    }

    /** {@code gatehouse-edge enroll HUB CODE DIR}, with {@code --ca-file CA} when asked. */
    private static EdgeCli enroll(String hubUrl, String code, Path dir, String... caFileOption) throws IOException {
        List<String> args = new ArrayList<>(List.of("enroll", hubUrl, code, dir.toString()));
        for (String option : caFileOption) {
            args.addAll(List.of(option, pki.caCertificate().toString()));
        }
        return EdgeCli.run(args.toArray(String[]::new));
    }

    /** What a technician does next: uncomment the site's door as written (and {@code edit} the file). */
    private static EdgeConfig mapDoor(Path dir, UnaryOperator<String> edit) throws IOException {
        Path file = dir.resolve("gatehouse.yaml");
        String yaml = Files.readString(file).replaceAll("(?m)^#(  - id: |    )", "$1");
        Files.writeString(file, edit.apply(yaml));
        return EdgeConfigLoader.load(file);
    }

    private static String created(String path, String json) {
        Api.Response made = api.post(path, token, json);
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        return made.json().get("id").asText();
    }
}
