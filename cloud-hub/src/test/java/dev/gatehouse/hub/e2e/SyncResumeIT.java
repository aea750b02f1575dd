package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.mqtt.EmbeddedBroker;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A change committed while the hub's link could not reach the broker gets to an edge that stayed
 * connected, once the hub restarts, without the edge asking. The broker is external to the hub (a
 * HiveMQ of the test's own that runs throughout, as Mosquitto or EMQX would in production), so
 * the edge never reconnects and never sends the {@code sync.request} it sends on connecting; on its
 * own it would learn of the change only from its 30 s heartbeat. On both stores.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SyncResumeIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Parameter
    StoreKind store;

    @Test
    void aChangeTheBrokerNeverAcceptedReachesTheConnectedEdgeAfterTheHubRestartsWithoutTheEdgeAsking()
            throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-resume");
        String hubPassword = "ghh_" + UUID.randomUUID();
        Path rightPassword = Files.writeString(dir.resolve("hub-password"), hubPassword + "\n");
        Path wrongPassword = Files.writeString(dir.resolve("wrong-password"), "not-" + hubPassword + "\n");
        Path dataDir = Files.createDirectories(dir.resolve("hub"));
        StoreSettings storeSettings = TestHub.settings(store, dataDir);
        // The broker checks device logins against the hub's store, through a connection of its own.
        try (Database brokerStore = Database.open(storeSettings);
                EmbeddedBroker broker = EmbeddedBroker.start(
                        new Devices(brokerStore), "127.0.0.1", 0, dir.resolve("broker"), Optional.of(hubPassword));
                SyncedHub hub = new SyncedHub(dataDir, storeSettings, external(broker, rightPassword))) {
            SyncStore accepted = new SyncStore(brokerStore);
            Api api = hub.api();
            String slug = "resume-" + store.name().toLowerCase() + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
            Api.Response tenant =
                    api.post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"" + slug + "\",\"name\":\"Resume\"}");
            assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
            String token = tenant.json().get("token").asText();
            String tenantId = tenant.json().at("/tenant/id").asText();
            String site =
                    create(api, token, "/api/v1/sites", "{\"name\":\"R\",\"address\":\"1 R St\",\"timeZone\":\"UTC\"}");
            create(api, token, "/api/v1/sites/" + site + "/doors", "{\"name\":\"Front\"}");
            String device = create(api, token, "/api/v1/sites/" + site + "/devices", "{\"name\":\"Pi\"}");
            Api.Response provisioned = api.post("/api/v1/devices/" + device + "/provision", token, "");
            assertThat(provisioned.status()).as(provisioned.toString()).isEqualTo(201);
            JsonNode bundle = provisioned.json();
            KeySet keys = KeySet.parse(bundle.get("trustedKeys").toString());

            // A connected edge that only listens: it never sends a sync.request.
            try (FakeEdge edge = FakeEdge.connect(
                    broker.url(), device, device, bundle.at("/mqtt/password").asText())) {
                edge.subscribeInbox(slug, site, device);
                long head = head(api, token, site);
                await().atMost(WAIT)
                        .until(() -> accepted.acceptedSeq(tenantId, site).orElse(0L) >= head);
                hub.stop();

                // The hub comes back unable to log in to the broker, and a door is added: the batch is
                // handed to the link but never accepted by the broker.
                hub.start(external(broker, wrongPassword));
                String door = create(hub.api(), token, "/api/v1/sites/" + site + "/doors", "{\"name\":\"Back\"}");
                long changed = head(hub.api(), token, site);
                assertThat(hub.hub().sync().publisher().awaitPublished(site, changed, WAIT))
                        .isTrue();
                hub.stop();
                assertThat(accepted.acceptedSeq(tenantId, site).orElse(0L)).isLessThan(changed);
                assertThat(batches(edge, keys, slug, site)).noneMatch(b -> b.toSeq() >= changed);

                // Back with its right password, the hub publishes what the broker never accepted.
                hub.start(external(broker, rightPassword));
                await("a batch up to seq " + changed + " at the edge")
                        .atMost(WAIT)
                        .until(() -> batches(edge, keys, slug, site).stream().anyMatch(b -> b.toSeq() >= changed));
                assertThat(batches(edge, keys, slug, site))
                        .filteredOn(b -> b.toSeq() >= changed)
                        .first()
                        .satisfies(b -> assertThat(b.changes()).anySatisfy(change -> assertThat(change)
                                .isInstanceOfSatisfying(Change.Upsert.class, upsert -> assertThat(
                                                upsert.entity().key())
                                        .isEqualTo(door))));
                await().atMost(WAIT)
                        .until(() -> accepted.acceptedSeq(tenantId, site).orElse(0L) >= changed);
            }
        }
    }

    /** The hub on the test's broker as an external one, with the password held in {@code passwordFile}. */
    private static MqttSettings external(EmbeddedBroker broker, Path passwordFile) {
        return SyncedHub.external(broker.url(), passwordFile, "gatehouse-hub-resume");
    }

    private static List<SyncBatch> batches(FakeEdge edge, KeySet keys, String slug, String site) {
        return edge.received(Channel.SYNC).stream()
                .map(m -> SignedMessages.verify(m.payload(), keys, slug, site, Instant.now(), ClockStatus.TRUSTED)
                        .payloadAs(SyncBatch.class))
                .toList();
    }

    static long head(Api api, String token, String site) {
        return api.get("/api/v1/sites/" + site, token).json().get("changeSeq").asLong();
    }

    static String create(Api api, String token, String path, String json) {
        Api.Response response = api.post(path, token, json);
        assertThat(response.status()).as("POST " + path + ": " + response).isEqualTo(201);
        return response.json().get("id").asText();
    }
}
