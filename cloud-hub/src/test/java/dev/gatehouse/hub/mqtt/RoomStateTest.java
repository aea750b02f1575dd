package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSObject;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.topic.Channel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rooms' A/V that edges report in {@code device.state}, on both stores, over the real embedded
 * broker: stored per device and room, served by {@code GET /sites/{siteId}/rooms/state} to the site's
 * tenant only; asked for (a {@code hub.time} naming {@code room-state}) only from edges that report
 * the feature; and a malformed state harms nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class RoomStateTest {
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

    static RoomState faulty(String room) {
        return faulty(room, Set.of());
    }

    static RoomState faulty(String room, Set<String> doors) {
        return new RoomState(
                room,
                doors,
                RoomState.Mode.IN_USE,
                Optional.of("bk-1"),
                RoomState.Presence.OCCUPIED,
                Map.of("display-power", "on"),
                Set.of(),
                Set.of(),
                Map.of("lights-level", "lights-level 80: refused by the controller: Bad_NotWritable (3 tries)"));
    }

    private static JsonNode rooms(EdgeDevices.Device d) {
        Api.Response response = hub.api().get("/api/v1/sites/" + d.site() + "/rooms/state", d.token());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("items");
    }

    private static void send(FakeEdge edge, EdgeDevices.Device d, byte[] state) throws Exception {
        edge.publish(IngestTest.topic(d, Channel.STATE), state);
    }

    @Test
    void aReportedRoomIsServedToItsSitesTenantOnly() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "rooms-a");
        try (FakeEdge edge = EdgeDevices.connect(hub, d)) {
            send(edge, d, EdgeMessages.state(d.site(), d.id(), Health.DEGRADED, List.of(faulty("huddle"))));

            await().atMost(IngestTest.WAIT).until(() -> rooms(d).size() == 1);
            JsonNode room = rooms(d).get(0);
            assertThat(room.get("roomId").asText()).isEqualTo("huddle");
            assertThat(room.get("deviceId").asText()).isEqualTo(d.id());
            assertThat(room.get("deviceHealth").asText()).isEqualTo("degraded");
            assertThat(room.get("mode").asText()).isEqualTo("in-use");
            assertThat(room.get("presence").asText()).isEqualTo("occupied");
            assertThat(room.get("bookingId").asText()).isEqualTo("bk-1");
            assertThat(room.at("/values/display-power").asText()).isEqualTo("on");
            assertThat(room.at("/faults/lights-level").asText()).startsWith("lights-level 80: refused");

            // Why: another operator must not learn that the site exists, let alone who is in its rooms.
            TestHub.Tenant stranger = hub.newTenant("rooms-stranger");
            assertThat(hub.api()
                            .get("/api/v1/sites/" + d.site() + "/rooms/state", stranger.token())
                            .status())
                    .isEqualTo(404);
            assertThat(hub.api()
                            .get("/api/v1/sites/no-such-site/rooms/state", d.token())
                            .status())
                    .isEqualTo(404);
        }
    }

    @Test
    void aRoomIsTiedToItsResourceByItsIdElseByItsDoors() throws Exception {
        // Why: a technician names the edge's rooms before (or without) knowing the hub's resource
        // ids; the day view must still find "Huddle" from the room's door, never put a desk's A/V
        // on a room, and never guess between two rooms behind the same doors.
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "rooms-doors");
        String token = d.token();
        String huddleDoor = hub.create("/api/v1/sites/" + d.site() + "/doors", token, "{\"name\":\"Huddle door\"}");
        String loftDoor = hub.create("/api/v1/sites/" + d.site() + "/doors", token, "{\"name\":\"Loft door\"}");
        String lobby = hub.create("/api/v1/sites/" + d.site() + "/doors", token, "{\"name\":\"Lobby\"}");
        String huddle =
                resource(d, "{\"name\":\"Huddle\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + huddleDoor + "\"]}");
        String loft = resource(d, "{\"name\":\"Loft\",\"kind\":\"event-space\",\"doorIds\":[\"" + loftDoor + "\"]}");
        String loftA = resource(
                d,
                "{\"name\":\"Loft A\",\"kind\":\"meeting-room\",\"parentId\":\"" + loft + "\",\"doorIds\":[\""
                        + loftDoor + "\"]}");
        resource(d, "{\"name\":\"Desk 1\",\"kind\":\"hot-desk\",\"doorIds\":[\"" + lobby + "\"]}");
        resource(d, "{\"name\":\"Studio 1\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + lobby + "\"]}");
        resource(d, "{\"name\":\"Studio 2\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + lobby + "\"]}");
        try (FakeEdge edge = EdgeDevices.connect(hub, d)) {
            send(
                    edge,
                    d,
                    EdgeMessages.state(
                            d.site(),
                            d.id(),
                            Health.OK,
                            List.of(
                                    faulty("room-huddle", Set.of(huddleDoor)),
                                    faulty(loftA, Set.of()),
                                    faulty("loft-av", Set.of(loftDoor)),
                                    faulty("studios", Set.of(lobby)),
                                    faulty("nowhere", Set.of("no-such-door")))));
            await().atMost(IngestTest.WAIT).until(() -> rooms(d).size() == 5);
            Map<String, String> resources = new java.util.TreeMap<>();
            rooms(d).forEach(room -> resources.put(
                    room.get("roomId").asText(),
                    room.has("resourceId") ? room.get("resourceId").asText() : "none"));
            assertThat(resources)
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "room-huddle",
                            huddle,
                            loftA,
                            loftA,
                            "loft-av",
                            loft,
                            "studios",
                            "none",
                            "nowhere",
                            "none"));
            JsonNode reported = java.util.stream.StreamSupport.stream(rooms(d).spliterator(), false)
                    .filter(room -> room.get("roomId").asText().equals("room-huddle"))
                    .findFirst()
                    .orElseThrow();
            assertThat(reported.get("doors").get(0).asText()).isEqualTo(huddleDoor);
        }
    }

    private static String resource(EdgeDevices.Device d, String body) {
        return hub.create("/api/v1/sites/" + d.site() + "/resources", d.token(), body);
    }

    @Test
    void aStateWithoutRoomsKeepsThemAndTheLastWillMarksThemOffline() throws Exception {
        // Why: an edge sends no rooms until its hub asks, and none in its last will; the day view
        // must keep the last known state, saying the edge is offline, rather than forget the room.
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "rooms-b");
        try (FakeEdge edge = EdgeDevices.connect(hub, d)) {
            send(edge, d, EdgeMessages.state(d.site(), d.id(), Health.DEGRADED, List.of(faulty("huddle"))));
            await().atMost(IngestTest.WAIT).until(() -> rooms(d).size() == 1);

            send(edge, d, EdgeMessages.state(d.site(), d.id(), Health.OFFLINE, List.of()));

            await().atMost(IngestTest.WAIT)
                    .until(() -> rooms(d).get(0).get("deviceHealth").asText().equals("offline"));
            assertThat(rooms(d).get(0).get("mode").asText()).isEqualTo("in-use");

            // An edge that no longer reports the feature has no rooms any more.
            send(edge, d, EdgeMessages.state(d.site(), d.id(), List.of()));
            await().atMost(IngestTest.WAIT).until(() -> rooms(d).isEmpty());
        }
    }

    @Test
    void aMalformedStateIsDroppedAndTheRoomsStayAsTheyWere() throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "rooms-c");
        try (FakeEdge edge = EdgeDevices.connect(hub, d)) {
            send(edge, d, EdgeMessages.state(d.site(), d.id(), Health.DEGRADED, List.of(faulty("huddle"))));
            await().atMost(IngestTest.WAIT).until(() -> rooms(d).size() == 1);
            String good = new String(
                    EdgeMessages.state(d.site(), d.id(), Health.OK, List.of(faulty("other"))), StandardCharsets.UTF_8);

            // An unknown mode, a room with a field the protocol does not have, and plain garbage.
            send(edge, d, good.replace("\"in-use\"", "\"party\"").getBytes(StandardCharsets.UTF_8));
            send(
                    edge,
                    d,
                    good.replace("\"presence\":", "\"colour\":\"red\",\"presence\":")
                            .getBytes(StandardCharsets.UTF_8));
            send(edge, d, "{\"rooms\":[".getBytes(StandardCharsets.UTF_8));
            // A good state after them shows that they were read (and dropped) in order.
            send(edge, d, EdgeMessages.state(d.site(), d.id(), Health.OK, List.of(faulty("huddle"), faulty("board"))));

            await().atMost(IngestTest.WAIT).until(() -> rooms(d).size() == 2);
            assertThat(rooms(d).findValuesAsText("roomId")).containsExactly("board", "huddle");
        }
    }

    @Test
    void theHubAsksForRoomsOnlyFromAnEdgeThatReportsTheFeature() throws Exception {
        // Why: an edge that predates rooms refuses a hub.time with reads; one that reports
        // room-state sends its rooms only once the hub's answer names it.
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, "rooms-d");
        try (FakeEdge edge = EdgeDevices.connect(hub, d)) {
            assertThat(readsAfterARequest(edge, d, "sr-before")).isEmpty();

            send(edge, d, EdgeMessages.state(d.site(), d.id(), Health.OK, List.of()));
            await().atMost(IngestTest.WAIT).until(() -> readsAfterARequest(edge, d, "sr-" + System.nanoTime())
                    .equals(List.of(DeviceState.ROOMS_FEATURE)));
        }
    }

    /** Sends a sync request and returns the {@code reads} of the hub's answer to it. */
    private static List<String> readsAfterARequest(FakeEdge edge, EdgeDevices.Device d, String id) throws Exception {
        edge.publish(
                IngestTest.topic(d, Channel.SYNC_REQUEST),
                MessageCodec.encode(new Envelope(id, Instant.now(), new SyncRequest(d.site(), 0))));
        await().atMost(IngestTest.WAIT).until(() -> answer(edge, id).isPresent());
        return answer(edge, id).orElseThrow().reads();
    }

    private static Optional<HubTime> answer(FakeEdge edge, String id) {
        return edge.received(Channel.TIME).stream()
                .map(received -> hubTime(received.payload()))
                .filter(time -> time.inReplyTo().equals(id))
                .findFirst();
    }

    /** The signed time's payload; its signature is {@code SyncOverMqttTest}'s concern. */
    private static HubTime hubTime(String jws) {
        try {
            return MessageCodec.decode(JWSObject.parse(jws).getPayload().toString())
                    .payloadAs(HubTime.class);
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }
}
