package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.MosquittoBroker;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The whole flow once against an external Mosquitto 2 (a broker of the test's own, configured with
 * the password file and ACL that cloud-hub/README.md documents): provisioning, a member let in,
 * suspended and denied, the events ingested exactly once, and a device refused on another device's
 * topic. Skips, saying so, where no Mosquitto is installed; {@code .ci/run} installs it.
 */
class ExternalMosquittoIT {
    @Test
    void theWholeFlowWorksThroughAnExternalMosquitto() throws Exception {
        if (MosquittoBroker.binary().isEmpty()) {
            System.out.println("NOTICE: ExternalMosquittoIT skipped: no mosquitto binary (apt-get install mosquitto)");
            Assumptions.abort("mosquitto is not installed");
        }
        Path dir = Files.createTempDirectory("gatehouse-mosquitto-e2e");
        String hubPassword = "hub-" + UUID.randomUUID();
        Path passwordFile = Files.writeString(dir.resolve("hub-password"), hubPassword + "\n");
        try (MosquittoBroker broker =
                MosquittoBroker.start(dir.resolve("broker"), MqttSettings.HUB_USER, hubPassword)) {
            MqttSettings external = SyncedHub.external(broker.url(), passwordFile, "gatehouse-hub-e2e");
            try (SyncedHub hub = new SyncedHub(StoreKind.SQLITE, external)) {
                Api api = hub.api();
                Api.Response tenant =
                        api.post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"mosq\",\"name\":\"Mosquitto\"}");
                String token = tenant.json().get("token").asText();
                String tenantId = tenant.json().at("/tenant/id").asText();
                String site = create(
                        api, token, "/api/v1/sites", "{\"name\":\"M\",\"address\":\"1 M St\",\"timeZone\":\"UTC\"}");
                String door = create(
                        api, token, "/api/v1/sites/" + site + "/doors", "{\"name\":\"Door\",\"unlockSeconds\":1}");
                String group = create(
                        api,
                        token,
                        "/api/v1/sites/" + site + "/door-groups",
                        "{\"name\":\"G\",\"doorIds\":[\"" + door + "\"]}");
                String plan = create(
                        api,
                        token,
                        "/api/v1/plans",
                        "{\"name\":\"P\",\"doorGroupIds\":[\"" + group
                                + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
                String device = create(api, token, "/api/v1/sites/" + site + "/devices", "{\"name\":\"Pi\"}");
                JsonNode bundle = api.post("/api/v1/devices/" + device + "/provision", token, "")
                        .json();
                assertThat(bundle.at("/mqtt/url").asText()).isEqualTo(broker.url());
                // On an external broker the operator adds the device's account, as the README says.
                broker.addUser(device, bundle.at("/mqtt/password").asText());

                try (EdgeSite edge = EdgeSite.start(bundle, door, dir.resolve("site"))) {
                    String member = create(
                            api, token, "/api/v1/members", "{\"email\":\"m@mosq.example\",\"fullName\":\"M Member\"}");
                    api.put("/api/v1/members/" + member + "/plans/" + plan, token, "{}");
                    create(
                            api,
                            token,
                            "/api/v1/members/" + member + "/credentials",
                            "{\"type\":\"nfc-card\",\"uid\":\"04A1B2C3D4E5F6\"}");
                    long head = api.get("/api/v1/sites/" + site, token)
                            .json()
                            .get("changeSeq")
                            .asLong();
                    await().atMost(Duration.ofSeconds(60)).until(() -> edge.seq() >= head);
                    Decided granted = edge.tap("04A1B2C3D4E5F6");
                    assertThat(granted.decision()).isInstanceOf(Decision.Granted.class);

                    api.patch("/api/v1/members/" + member, token, "{\"status\":\"suspended\"}");
                    long suspendedAt = api.get("/api/v1/sites/" + site, token)
                            .json()
                            .get("changeSeq")
                            .asLong();
                    await().atMost(Duration.ofSeconds(10)).until(() -> edge.seq() >= suspendedAt);
                    Decided denied = edge.tap("04A1B2C3D4E5F6");
                    assertThat(denied.decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));

                    await().atMost(Duration.ofSeconds(60)).until(() -> edge.outboxDepth() == 0);
                    SyncedHub.Stored stored = hub.accessEvents(tenantId);
                    assertThat(stored.ids())
                            .containsAll(
                                    List.of(granted.event().id(), denied.event().id()));
                    assertThat(stored.rows()).isEqualTo(stored.ids().size());

                    // Another provisioned device cannot publish under this one's topics (Mosquitto answers
                    // PUBACK 0x87 and keeps the connection), and nothing is stored in its name.
                    String other = create(api, token, "/api/v1/sites/" + site + "/devices", "{\"name\":\"Other\"}");
                    JsonNode otherBundle = api.post("/api/v1/devices/" + other + "/provision", token, "")
                            .json();
                    broker.addUser(other, otherBundle.at("/mqtt/password").asText());
                    Envelope forged = new Envelope(
                            "forged-" + UUID.randomUUID(),
                            granted.event().time(),
                            granted.event().payload());
                    String password = otherBundle.at("/mqtt/password").asText();
                    // The broker reloads its password file on SIGHUP: the account may take a moment to exist.
                    FakeEdge intruder = await().atMost(Duration.ofSeconds(10))
                            .ignoreExceptions()
                            .until(() -> FakeEdge.connect(broker.url(), other, other, password), connected -> true);
                    try (intruder) {
                        int[] codes = intruder.publish(
                                Topic.of("mosq", site, device, Channel.EVENTS), MessageCodec.encode(forged));
                        assertThat(codes[0]).isGreaterThanOrEqualTo(0x80);
                        // Mosquitto keeps the connection and forwards nothing: the edge's next event is
                        // stored, the forged one never is.
                        assertThat(intruder.connected()).isTrue();
                    }
                    Decided after = edge.tap("04A1B2C3D4E5F6");
                    await().atMost(Duration.ofSeconds(60)).until(() -> hub.accessEvents(tenantId)
                            .ids()
                            .contains(after.event().id()));
                    assertThat(hub.accessEvents(tenantId).ids()).doesNotContain(forged.id());
                }
            }
        }
    }

    private static String create(Api api, String token, String path, String json) {
        Api.Response response = api.post(path, token, json);
        assertThat(response.status()).as("POST " + path + ": " + response).isEqualTo(201);
        return response.json().get("id").asText();
    }
}
