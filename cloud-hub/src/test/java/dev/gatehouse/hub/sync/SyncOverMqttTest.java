package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sync and commands end to end over the hub's embedded broker, with real Paho clients as edges
 * (provisioned through the API, connected with their own credentials). On both stores.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SyncOverMqttTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.startWithBroker(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    /** A provisioned device of a new tenant's new site, connected and subscribed to its inbox. */
    record Edge(TestHub.Tenant tenant, String site, String door, String device, KeySet keys, FakeEdge client)
            implements AutoCloseable {
        Topic topic(Channel channel) {
            return Topic.of(tenant.slug(), site, device, channel);
        }

        Envelope verify(FakeEdge.Received message) {
            return SignedMessages.verify(
                    message.payload(), keys, tenant.slug(), site, Instant.now(), ClockStatus.TRUSTED);
        }

        List<SyncBatch> batches() {
            return client.received(Channel.SYNC).stream()
                    .map(m -> verify(m).payloadAs(SyncBatch.class))
                    .toList();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    Edge edge(String prefix) throws Exception {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Kreuzberg\",\"address\":\"Oranienstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Main entrance\"}");
        String device = hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"pi\"}");
        Api.Response provisioned = hub.api().post("/api/v1/devices/" + device + "/provision", tenant.token(), "{}");
        assertThat(provisioned.status()).as(provisioned.toString()).isEqualTo(201);
        JsonNode bundle = provisioned.json();
        KeySet keys = KeySet.parse(bundle.get("trustedKeys").toString());
        FakeEdge client = FakeEdge.connect(
                "tcp://127.0.0.1:" + hub.hub().brokerPort(),
                device,
                device,
                bundle.at("/mqtt/password").asText());
        client.subscribeInbox(tenant.slug(), site, device);
        return new Edge(tenant, site, door, device, keys, client);
    }

    long head(Edge edge) {
        return hub.hub().stores().changes().head(edge.tenant().id(), edge.site());
    }

    void awaitPublished(Edge edge) throws InterruptedException {
        assertThat(hub.hub().sync().publisher().awaitPublished(edge.site(), head(edge), WAIT))
                .isTrue();
    }

    void request(Edge edge, long haveSeq) throws Exception {
        edge.client()
                .publish(
                        edge.topic(Channel.SYNC_REQUEST),
                        MessageCodec.encode(new Envelope(
                                "req_" + System.nanoTime(), Instant.now(), new SyncRequest(edge.site(), haveSeq))));
    }

    Map<String, Entity> projection(Edge edge) {
        Map<String, Entity> map = new TreeMap<>();
        hub.hub()
                .database()
                .read(c -> SiteProjection.of(c, edge.tenant().id(), edge.site()))
                .orElseThrow()
                .forEach(e -> map.put(e.kind() + "/" + e.key(), e));
        return map;
    }

    @Test
    void aChangeMadeThroughTheApiArrivesAsAVerifiableBatchAtTheSitesDeviceOnly() throws Exception {
        try (Edge edge = edge("mqtt-sync");
                Edge other = edge("mqtt-other")) {
            awaitPublished(edge);
            awaitPublished(other);
            int before = edge.client().received(Channel.SYNC).size();
            int otherBefore = other.client().received().size();

            String door = hub.create(
                    "/api/v1/sites/" + edge.site() + "/doors", edge.tenant().token(), "{\"name\":\"Back door\"}");
            long head = head(edge);
            await().atMost(WAIT).until(() -> edge.batches().stream().anyMatch(b -> b.toSeq() >= head));

            List<SyncBatch> batches = edge.batches();
            SyncBatch last = batches.getLast();
            assertThat(batches.size()).isGreaterThan(before);
            assertThat(last.toSeq()).isEqualTo(head);
            assertThat(last.changes()).anySatisfy(change -> assertThat(change)
                    .isInstanceOfSatisfying(
                            Change.Upsert.class,
                            upsert -> assertThat(upsert.entity().key()).isEqualTo(door)));
            // the other site's device got nothing of it (every message it holds is for its own site)
            assertThat(other.client().received()).hasSize(otherBefore);
            other.client().received().forEach(m -> assertThat(m.topic()).contains("/" + other.site() + "/"));
        }
    }

    @Test
    void aRequestIsAnsweredWithTheHubsSignedTimeNamingIt() throws Exception {
        // Why: the edge bounds its clock between sending the request and receiving this answer, so it
        // can tell a clock that is ahead, and trust its clock again without an entitlement change.
        try (Edge edge = edge("mqtt-time")) {
            awaitPublished(edge);
            String id = "req_time_" + System.nanoTime();
            Instant before = Instant.now();
            edge.client()
                    .publish(
                            edge.topic(Channel.SYNC_REQUEST),
                            MessageCodec.encode(
                                    new Envelope(id, Instant.now(), new SyncRequest(edge.site(), head(edge)))));

            await().atMost(WAIT).until(() -> edge.client().received(Channel.TIME).stream()
                    .anyMatch(m ->
                            edge.verify(m).payloadAs(HubTime.class).inReplyTo().equals(id)));
            Envelope answer = edge.client().received(Channel.TIME).stream()
                    .map(edge::verify)
                    .filter(e -> e.payloadAs(HubTime.class).inReplyTo().equals(id))
                    .findFirst()
                    .orElseThrow();
            HubTime time = answer.payloadAs(HubTime.class);
            assertThat(time.device()).isEqualTo(edge.device());
            assertThat(time.site()).isEqualTo(edge.site());
            assertThat(answer.time())
                    .isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
            // signed for this site only: another site's edge would refuse it
            assertThatThrownBy(() -> SignedMessages.verify(
                            edge.client().received(Channel.TIME).getFirst().payload(),
                            edge.keys(),
                            edge.tenant().slug(),
                            "another-site",
                            Instant.now(),
                            ClockStatus.TRUSTED))
                    .hasMessageContaining("another-site");
        }
    }

    @Test
    void aRequestWithAGapGetsTheRestOfTheLog() throws Exception {
        try (Edge edge = edge("mqtt-gap")) {
            hub.create("/api/v1/sites/" + edge.site() + "/doors", edge.tenant().token(), "{\"name\":\"Side door\"}");
            long head = head(edge);
            // the live batch of the new door arrives first
            await().atMost(WAIT).until(() -> edge.batches().stream().anyMatch(b -> b.toSeq() == head));
            int before = edge.client().received(Channel.SYNC).size();

            request(edge, 1);
            await().atMost(WAIT)
                    .until(() -> edge.client().received(Channel.SYNC).size() > before);
            await().atMost(WAIT).until(() -> edge.batches().getLast().toSeq() == head);
            List<SyncBatch> answer =
                    edge.batches().subList(before, edge.batches().size());
            assertThat(answer.getFirst().fromSeq()).isEqualTo(2);
            long seq = 1;
            for (SyncBatch batch : answer) {
                assertThat(batch.fromSeq()).isEqualTo(seq + 1);
                seq = batch.toSeq();
            }
            assertThat(seq).isEqualTo(head);
        }
    }

    @Test
    void aRequestBelowTheCompactedFloorGetsASnapshotThatRebuildsTheProjection() throws Exception {
        try (Edge edge = edge("mqtt-snap")) {
            for (int i = 0; i < 3; i++) {
                hub.create(
                        "/api/v1/sites/" + edge.site() + "/doors",
                        edge.tenant().token(),
                        "{\"name\":\"Door " + i + "\"}");
            }
            awaitPublished(edge);
            long head = head(edge);
            assertThat(hub.hub().sync().publisher().compact(edge.tenant().id(), edge.site(), head - 1))
                    .isEqualTo(head - 1);

            request(edge, 0);
            await().atMost(WAIT).until(() -> {
                List<FakeEdge.Received> chunks = edge.client().received(Channel.SNAPSHOT);
                return !chunks.isEmpty()
                        && chunks.size()
                                == edge.verify(chunks.getFirst())
                                        .payloadAs(SnapshotChunk.class)
                                        .count();
            });
            InMemoryEntitlements cache = new InMemoryEntitlements();
            Map<String, Entity> rebuilt = new TreeMap<>();
            for (FakeEdge.Received message : edge.client().received(Channel.SNAPSHOT)) {
                SnapshotChunk chunk = edge.verify(message).payloadAs(SnapshotChunk.class);
                assertThat(chunk.seq()).isEqualTo(head);
                for (Entity entity : chunk.entities()) {
                    cache.put(entity);
                    rebuilt.put(entity.kind() + "/" + entity.key(), entity);
                }
            }
            assertThat(rebuilt).isEqualTo(projection(edge));
            assertThat(cache.site()).isPresent();
        }
    }

    @Test
    void aCommandReachesTheDeviceAndItsAckUpdatesTheStatus() throws Exception {
        try (Edge edge = edge("mqtt-cmd")) {
            Api.Response sent = hub.api()
                    .post(
                            "/api/v1/sites/" + edge.site() + "/commands",
                            edge.tenant().token(),
                            "{\"action\":{\"type\":\"unlock-once\",\"door\":\"" + edge.door()
                                    + "\",\"unlockFor\":\"PT5S\"}}");
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
            String id = sent.json().get("id").asText();
            assertThat(sent.json().at("/devices/0/device").asText()).isEqualTo(edge.device());

            await().atMost(WAIT)
                    .until(() -> !edge.client().received(Channel.COMMANDS).isEmpty());
            Envelope envelope =
                    edge.verify(edge.client().received(Channel.COMMANDS).getFirst());
            assertThat(envelope.id()).isEqualTo(id);
            Command command = envelope.payloadAs(Command.class);
            assertThat(command.action()).isInstanceOf(CommandAction.UnlockOnce.class);
            assertThat(command.expiresAt())
                    .isEqualTo(Instant.parse(sent.json().get("expiresAt").asText()));

            edge.client()
                    .publish(
                            edge.topic(Channel.COMMAND_ACK),
                            MessageCodec.encode(new Envelope(
                                    "ack_" + id.substring(4),
                                    Instant.now(),
                                    new CommandAck(id, CommandStatus.DONE, Optional.of("unlocked")))));
            await().atMost(WAIT).until(() -> hub.api()
                    .get("/api/v1/commands/" + id, edge.tenant().token())
                    .json()
                    .get("status")
                    .asText()
                    .equals("done"));
            JsonNode read = hub.api()
                    .get("/api/v1/commands/" + id, edge.tenant().token())
                    .json();
            assertThat(read.at("/devices/0/detail").asText()).isEqualTo("unlocked");
        }
    }
}
