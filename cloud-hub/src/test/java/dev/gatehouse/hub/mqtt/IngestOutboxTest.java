package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What edges report reaches the event outbox in the ingest's own transaction, over the real embedded
 * broker on both stores: an access decision and a forced door once each however often the edge sends
 * them again, and a device's coming online and its last will.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class IngestOutboxTest {
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

    private static FakeEdge connect(EdgeDevices.Device d) throws Exception {
        FakeEdge edge = FakeEdge.connect("tcp://127.0.0.1:" + hub.hub().brokerPort(), d.id(), d.id(), d.password());
        assertThat(edge.subscribeInbox(d.slug(), d.site(), d.id())[0]).isLessThan(0x80);
        return edge;
    }

    private static List<OutboxEvent> events(String tenantId) {
        return new Outbox(hub.hub().database()).events(tenantId, 0, 100);
    }

    @Test
    void accessDecisionsAndDoorAlarmsAreEventsOnceEachAndADevicesPresenceIsTooFromItsState() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "outbox");
        String access = EdgeMessages.eventId();
        String forced = EdgeMessages.eventId();
        try (FakeEdge edge = connect(d)) {
            for (int round = 1; round <= 2; round++) {
                // The second round resends what was stored: acknowledged again, one event each.
                edge.publish(
                        Topic.of(d.slug(), d.site(), d.id(), Channel.EVENTS),
                        EdgeMessages.accessEvent(
                                access, d.site(), d.bundle().at("/doors/0/id").asText()));
                edge.publish(
                        Topic.of(d.slug(), d.site(), d.id(), Channel.EVENTS),
                        EdgeMessages.doorEvent(
                                forced, d.site(), d.bundle().at("/doors/0/id").asText()));
                int acks = round;
                await().atMost(WAIT)
                        .until(() -> IngestTest.ackedIds(edge).stream()
                                        .filter(forced::equals)
                                        .count()
                                == acks);
            }
            edge.publish(
                    Topic.of(d.slug(), d.site(), d.id(), Channel.STATE),
                    EdgeMessages.state(d.site(), d.id(), 0, Health.OK));
            await().atMost(WAIT).until(() -> events(d.tenantId()).stream()
                    .anyMatch(e -> e.type().equals("device.online")));
            edge.publish(
                    Topic.of(d.slug(), d.site(), d.id(), Channel.STATE),
                    EdgeMessages.state(d.site(), d.id(), 0, Health.DEGRADED));
            edge.publish(
                    Topic.of(d.slug(), d.site(), d.id(), Channel.STATE),
                    EdgeMessages.state(d.site(), d.id(), 0, Health.OFFLINE));
            await().atMost(WAIT).until(() -> events(d.tenantId()).stream()
                    .anyMatch(e -> e.type().equals("device.offline")));
        }

        List<OutboxEvent> events = events(d.tenantId());
        assertThat(events)
                .filteredOn(e -> e.type().startsWith("access."))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.type()).isEqualTo("access.denied");
                    assertThat(e.entityId()).contains(access);
                    assertThat(e.payload()).contains("\"reason\":\"unknown-credential\"");
                });
        assertThat(events)
                .filteredOn(e -> e.type().startsWith("door."))
                .singleElement()
                .satisfies(e -> assertThat(e.type()).isEqualTo("door.forced-open"));
        // Degraded is still online: one event for coming online, one for going away.
        assertThat(events)
                .filteredOn(e -> e.type().startsWith("device."))
                .extracting(OutboxEvent::type)
                .containsExactly("device.online", "device.offline");
    }

    @Test
    void anEntryOfAMemberAnotherPlatformDrivesCarriesThatPlatformsIdForIt() throws Exception {
        // Doors for other platforms: Nexudus or OfficeRnD match the entry to their own person.
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "linked");
        Api.Response linked = hub.api()
                .put(
                        "/api/v1/external-access/nexudus/cw-42",
                        d.token(),
                        "{\"email\":\"linked@example.com\",\"fullName\":\"Linked Person\"}");
        assertThat(linked.status()).as(linked.toString()).isEqualTo(201);
        String member = linked.json().get("memberId").asText();
        String entry = EdgeMessages.eventId();
        try (FakeEdge edge = connect(d)) {
            edge.publish(
                    Topic.of(d.slug(), d.site(), d.id(), Channel.EVENTS),
                    EdgeMessages.granted(
                            entry,
                            Instant.now(),
                            d.site(),
                            d.bundle().at("/doors/0/id").asText(),
                            member,
                            "gr_1"));
            await().atMost(WAIT).until(() -> events(d.tenantId()).stream()
                    .anyMatch(e -> e.type().equals("access.granted")));
        }
        assertThat(events(d.tenantId()))
                .filteredOn(e -> e.type().equals("access.granted"))
                .singleElement()
                .satisfies(e -> assertThat(e.payload())
                        .contains("\"memberId\":\"" + member + "\"")
                        .contains("\"externalIds\":{\"nexudus\":\"cw-42\"}"));
    }
}
