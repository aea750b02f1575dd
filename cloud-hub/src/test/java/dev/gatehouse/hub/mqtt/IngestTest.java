package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Provisioning, event ingest with acks, device state and sync lag over the real embedded broker, on both stores. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class IngestTest {
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

    static String url() {
        return "tcp://127.0.0.1:" + hub.hub().brokerPort();
    }

    static FakeEdge connect(EdgeDevices.Device d) throws MqttException {
        FakeEdge edge = FakeEdge.connect(url(), d.id(), d.id(), d.password());
        assertThat(edge.subscribeInbox(d.slug(), d.site(), d.id())[0]).isLessThan(0x80);
        return edge;
    }

    static Topic topic(EdgeDevices.Device d, Channel channel) {
        return Topic.of(d.slug(), d.site(), d.id(), channel);
    }

    static String door(EdgeDevices.Device d) {
        return d.bundle().at("/doors/0/id").asText();
    }

    static long count(String table, String tenantId, String id) {
        return hub.hub().database().read(c -> {
            try (PreparedStatement s =
                    c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE tenant_id = ? AND id = ?")) {
                s.setString(1, tenantId);
                s.setString(2, id);
                try (ResultSet rows = s.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    static List<String> ackedIds(FakeEdge edge) {
        List<String> ids = new ArrayList<>();
        for (FakeEdge.Received r : edge.received(Channel.EVENT_ACK)) {
            ids.addAll(MessageCodec.decode(r.payload().getBytes(StandardCharsets.UTF_8))
                    .payloadAs(EventAck.class)
                    .eventIds());
        }
        return ids;
    }

    @Test
    void theBundleNamesEverythingAnEdgeNeeds() {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "bundle");
        JsonNode bundle = d.bundle();
        assertThat(bundle.get("tenant").asText()).isEqualTo(d.slug());
        assertThat(bundle.get("site").asText()).isEqualTo(d.site());
        assertThat(bundle.get("device").asText()).isEqualTo(d.id());
        assertThat(bundle.get("zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(bundle.at("/mqtt/url").asText()).isEqualTo(url());
        assertThat(bundle.at("/mqtt/username").asText()).isEqualTo(d.id());
        assertThat(d.password()).matches("ghd_[A-Za-z0-9_-]{43}");
        assertThat(bundle.at("/trustedKeys/keys/0/kty").asText()).isEqualTo("EC");
        assertThat(bundle.at("/trustedKeys/keys/0/d").isMissingNode()).isTrue();
        assertThat(bundle.get("cardKey").asText()).matches("[0-9a-f]{64}");
        assertThat(bundle.at("/doors/0/name").asText()).isEqualTo("Main entrance");
        assertThat(hub.api()
                        .get("/api/v1/devices/" + d.id(), d.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("active");
    }

    @Test
    void reprovisioningRotatesThePasswordAndDropsTheOldConnection() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "rotate");
        try (FakeEdge edge = connect(d)) {
            var again = hub.api().post("/api/v1/devices/" + d.id() + "/provision", d.token(), "{}");
            assertThat(again.status()).isEqualTo(201);
            String fresh = again.json().at("/mqtt/password").asText();
            assertThat(fresh).isNotEqualTo(d.password());
            await().atMost(WAIT).until(() -> !edge.connected());
            assertThatThrownBy(() -> FakeEdge.connect(url(), d.id(), d.id(), d.password()))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                            .isEqualTo(0x86));
            FakeEdge.connect(url(), d.id(), d.id(), fresh).close();
        }
        assertThat(hub.api()
                        .patch("/api/v1/devices/" + d.id(), d.token(), "{\"status\":\"retired\"}")
                        .status())
                .isEqualTo(200);
        assertThat(hub.api()
                        .post("/api/v1/devices/" + d.id() + "/provision", d.token(), "{}")
                        .status())
                .isEqualTo(409);
        TestHub.Tenant other = hub.newTenant("stranger");
        assertThat(hub.api()
                        .post("/api/v1/devices/" + d.id() + "/provision", other.token(), "{}")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void eventsAreStoredOnceAndAcknowledgedEveryTime() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "ingest");
        String access = EdgeMessages.eventId();
        String doorEvent = EdgeMessages.eventId();
        try (FakeEdge edge = connect(d)) {
            for (int round = 1; round <= 2; round++) {
                // the second round is a resend of events already stored: acknowledged again, stored once
                edge.publish(topic(d, Channel.EVENTS), EdgeMessages.accessEvent(access, d.site(), door(d)));
                edge.publish(topic(d, Channel.EVENTS), EdgeMessages.doorEvent(doorEvent, d.site(), door(d)));
                int acks = round;
                await().atMost(WAIT)
                        .until(() ->
                                ackedIds(edge).stream().filter(access::equals).count() == acks);
                await().atMost(WAIT)
                        .until(() -> ackedIds(edge).stream()
                                        .filter(doorEvent::equals)
                                        .count()
                                == acks);
            }
        }
        assertThat(count("access_events", d.tenantId(), access)).isEqualTo(1);
        assertThat(count("door_events", d.tenantId(), doorEvent)).isEqualTo(1);
        JsonNode log = hub.api().get("/api/v1/access-events", d.token()).json();
        assertThat(log.at("/items/0/id").asText()).isEqualTo(access);
        assertThat(log.at("/items/0/deviceId").asText()).isEqualTo(d.id());
    }

    @Test
    void malformedAndMisaddressedEventsAreDroppedUnacknowledged() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "garbage");
        String wrongSite = EdgeMessages.eventId();
        String good = EdgeMessages.eventId();
        try (FakeEdge edge = connect(d)) {
            edge.publish(topic(d, Channel.EVENTS), "{not json".getBytes(StandardCharsets.UTF_8));
            edge.publish(topic(d, Channel.EVENTS), EdgeMessages.accessEvent(wrongSite, "site_other", door(d)));
            edge.publish(topic(d, Channel.EVENTS), EdgeMessages.state(d.site(), d.id(), 1, Health.OK));
            edge.publish(topic(d, Channel.EVENTS), EdgeMessages.accessEvent(good, d.site(), door(d)));
            // acks arrive in order on one topic: once the good one is acknowledged, the bad ones were handled
            await().atMost(WAIT).until(() -> ackedIds(edge).contains(good));
            assertThat(ackedIds(edge)).containsExactly(good);
            assertThat(edge.connected()).isTrue();
        }
        assertThat(count("access_events", d.tenantId(), wrongSite)).isZero();
        assertThat(count("access_events", d.tenantId(), good)).isEqualTo(1);
        assertThat(hub.hub().mqttLink().connected()).isTrue();
    }

    @Test
    void stateIsRecordedWithItsLagAndTheLastWillMarksTheDeviceOffline() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "state");
        String path = "/api/v1/sites/" + d.site() + "/sync";
        long head = hub.api().get(path, d.token()).json().get("headSeq").asLong();
        assertThat(head).isPositive();
        FakeEdge edge = FakeEdge.connect(
                url(),
                d.id(),
                d.id(),
                d.password(),
                topic(d, Channel.STATE),
                EdgeMessages.state(d.site(), d.id(), 1, Health.OFFLINE));
        edge.publish(topic(d, Channel.STATE), EdgeMessages.state(d.site(), d.id(), 1, Health.DEGRADED));
        await().atMost(WAIT).until(() -> hub.api()
                .get(path, d.token())
                .json()
                .at("/devices/0/health")
                .asText()
                .equals("degraded"));
        JsonNode device = hub.api().get(path, d.token()).json().at("/devices/0");
        assertThat(device.get("device").asText()).isEqualTo(d.id());
        assertThat(device.get("online").asBoolean()).isTrue();
        assertThat(device.get("cacheSeq").asLong()).isEqualTo(1);
        assertThat(device.get("lag").asLong()).isEqualTo(head - 1);
        assertThat(device.get("outboxDepth").asLong()).isEqualTo(2);
        assertThat(device.get("problems").get(0).asText()).contains("reader");
        assertThat(device.get("agentVersion").asText()).isEqualTo("0.1.0");
        assertThat(device.get("lastStateAt").asText()).isNotEmpty();
        edge.crash();
        await().atMost(WAIT).until(() -> hub.api()
                .get(path, d.token())
                .json()
                .at("/devices/0/health")
                .asText()
                .equals("offline"));
        assertThat(hub.api().get(path, d.token()).json().at("/devices/0/online").asBoolean())
                .isFalse();
        TestHub.Tenant other = hub.newTenant("nosy");
        assertThat(hub.api().get(path, other.token()).status()).isEqualTo(404);
    }
}
