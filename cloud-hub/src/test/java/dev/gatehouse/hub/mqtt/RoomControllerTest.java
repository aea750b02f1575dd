package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Room;
import dev.gatehouse.protocol.model.Site;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A room's A/V controller held at the hub, on both stores, over the real embedded broker: set and
 * checked through the API (every problem named, nothing kept of a refused one, a technician's job),
 * synced to the site as a {@code room} entity while every edge reads it, sent as no-ops while one
 * cannot, and sent whole once the last such edge is upgraded or retired.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class RoomControllerTest {
    private static final String ENDPOINT = "opc.tcp://10.20.0.15:4840/rooms";
    private static final String POWER = "nsu=urn:vendor:rooms;s=ada/Display/Power";
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

    private record Fixture(EdgeDevices.Device device, FakeEdge edge, String door, String room)
            implements AutoCloseable {
        @Override
        public void close() {
            edge.close();
        }
    }

    /** A site whose one edge reports {@code features}, with a meeting room behind its door. */
    private Fixture site(String prefix, List<String> features) throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, prefix);
        FakeEdge edge = EdgeDevices.connect(hub, d);
        report(d, edge, features);
        String door = IngestTest.door(d);
        String room = hub.create(
                "/api/v1/sites/" + d.site() + "/resources",
                d.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + door + "\"]}");
        return new Fixture(d, edge, door, room);
    }

    private static void report(EdgeDevices.Device d, FakeEdge edge, List<String> features) throws Exception {
        EdgeDevices.report(hub, d, edge, features);
    }

    private static List<Change> log(Fixture f) {
        return EdgeDevices.log(hub, f.device());
    }

    /** The site's changes as its edges get them now. */
    private static List<Change> sent(Fixture f) {
        return EdgeDevices.sent(hub, f.device());
    }

    private static List<Entity> snapshot(Fixture f) {
        return EdgeDevices.snapshot(hub, f.device());
    }

    private static Api.Response put(Fixture f, String token, String body) {
        return hub.api().put("/api/v1/resources/" + f.room() + "/controller", token, body);
    }

    private static String body(String endpoint, String nodes) {
        return "{\"endpoint\":\"" + endpoint + "\",\"nodes\":" + nodes + "}";
    }

    @Test
    void aControllerReachesASiteWhoseEdgesReadRoomsAndEveryProblemIsNamed() throws Exception {
        try (Fixture f = site("rooms", List.of(Room.FEATURE))) {
            Api.Response bad = put(
                    f,
                    f.device().token(),
                    body("http://10.20.0.15:4840", "{\"display-power\":\"Display.Power\",\"coffee\":\"ns=2;s=x\"}"));
            assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
            assertThat(bad.text())
                    .contains("is not an OPC UA endpoint; write e.g. opc.tcp://192.168.1.50:4840")
                    .contains("nodes.display-power")
                    .contains("is not an OPC UA node id")
                    .contains("nodes.coffee")
                    .contains("is not a room function");
            assertThat(put(f, f.device().token(), "{\"endpoint\":\"" + ENDPOINT + "\"}")
                            .text())
                    .contains("nodes")
                    .contains("is required");
            assertThat(hub.api()
                            .get(
                                    "/api/v1/resources/" + f.room() + "/controller",
                                    f.device().token())
                            .status())
                    .isEqualTo(404);
            int before = log(f).size();

            Api.Response set = put(f, f.device().token(), body(ENDPOINT, "{\"display-power\":\"" + POWER + "\"}"));

            assertThat(set.status()).as(set.toString()).isEqualTo(200);
            assertThat(set.json().get("endpoint").asText()).isEqualTo(ENDPOINT);
            assertThat(set.json().at("/nodes/display-power").asText()).isEqualTo(POWER);
            assertThat(set.json().get("edgesBehind")).isEmpty();
            Room room = new Room(f.room(), Set.of(DoorId.of(f.door())), ENDPOINT, Map.of("display-power", POWER));
            assertThat(log(f).subList(before, log(f).size())).containsExactly(new Change.Upsert(room));
            assertThat(sent(f)).contains(new Change.Upsert(room));
            assertThat(snapshot(f)).contains(room);
            assertThat(hub.api()
                            .get(
                                    "/api/v1/audit?action=room-controller.set",
                                    f.device().token())
                            .text())
                    .contains(f.room());

            // A door that leads into a room with a controller cannot lead into a second one.
            String other = hub.create(
                    "/api/v1/sites/" + f.device().site() + "/resources",
                    f.device().token(),
                    "{\"name\":\"Room Ada (east half)\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + f.door() + "\"]}");
            Api.Response twice = hub.api()
                    .put(
                            "/api/v1/resources/" + other + "/controller",
                            f.device().token(),
                            body(ENDPOINT, "{\"display-power\":\"" + POWER + "\"}"));
            assertThat(twice.status()).isEqualTo(422);
            assertThat(twice.text()).contains("leads into 'Room Ada', which has a room controller");

            // Removing the controller removes the room from the edges.
            Api.Response removed = hub.api()
                    .delete(
                            "/api/v1/resources/" + f.room() + "/controller",
                            f.device().token());
            assertThat(removed.status()).isEqualTo(204);
            assertThat(log(f).getLast()).isEqualTo(new Change.Remove(EntityKind.ROOM, f.room()));
            assertThat(snapshot(f)).noneMatch(Room.class::isInstance);
        }
    }

    @Test
    void aDeskOrARoomWithoutDoorsHasNoControllerAndAReadOnlyRoleCannotSetOne() throws Exception {
        try (Fixture f = site("desks", List.of(Room.FEATURE))) {
            String desk = hub.create(
                    "/api/v1/sites/" + f.device().site() + "/resources",
                    f.device().token(),
                    "{\"name\":\"Desk 4\",\"kind\":\"hot-desk\",\"doorIds\":[\"" + f.door() + "\"]}");
            String doorless = hub.create(
                    "/api/v1/sites/" + f.device().site() + "/resources",
                    f.device().token(),
                    "{\"name\":\"Booth\",\"kind\":\"phone-booth\"}");
            String good = body(ENDPOINT, "{\"display-power\":\"" + POWER + "\"}");

            assertThat(hub.api()
                            .put(
                                    "/api/v1/resources/" + desk + "/controller",
                                    f.device().token(),
                                    good)
                            .text())
                    .contains("a hot desk has no room controller");
            assertThat(hub.api()
                            .put(
                                    "/api/v1/resources/" + doorless + "/controller",
                                    f.device().token(),
                                    good)
                            .text())
                    .contains("needs 1 to 16 doors")
                    .contains("give the resource the doors that lead into the room first");

            String readOnly = token(f, "read-only");
            assertThat(put(f, readOnly, good).status()).isEqualTo(403);
            assertThat(put(f, token(f, "technician"), good).status()).isEqualTo(200);

            // Once it has a controller, the room keeps a door and stays a room.
            Api.Response toDesk = hub.api()
                    .patch(
                            "/api/v1/resources/" + f.room(),
                            f.device().token(),
                            "{\"kind\":\"hot-desk\",\"doorIds\":[]}");
            assertThat(toDesk.status()).isEqualTo(422);
            assertThat(toDesk.text())
                    .contains("remove its room controller first")
                    .contains("a hot desk has no room controller");
        }
    }

    private static String token(Fixture f, String role) {
        return hub.api()
                .post(
                        "/api/v1/tokens",
                        f.device().token(),
                        "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":[\""
                                + f.device().site() + "\"]}")
                .json()
                .get("token")
                .asText();
    }

    @Test
    void aSiteWithAnEdgeThatCannotReadRoomsGetsNoOpsUntilItsLastSuchEdgeIsUpgradedOrRetired() throws Exception {
        try (Fixture f = site("older", List.of())) {
            EdgeDevices.Device second = EdgeDevices.another(hub, f.device(), "pi-upstairs");
            try (FakeEdge upstairs = EdgeDevices.connect(hub, second)) {
                report(second, upstairs, List.of());

                Api.Response set = put(f, f.device().token(), body(ENDPOINT, "{\"display-power\":\"" + POWER + "\"}"));
                assertThat(set.status()).isEqualTo(200);
                assertThat(set.json().get("edgesBehind").toString())
                        .contains("pi-lobby (" + f.device().id())
                        .contains("pi-upstairs (" + second.id());

                // Why: an older edge refuses a batch with a kind it does not know, and would stop syncing.
                Room room = new Room(f.room(), Set.of(DoorId.of(f.door())), ENDPOINT, Map.of("display-power", POWER));
                assertThat(log(f)).contains(new Change.Upsert(room));
                assertThat(sent(f)).noneMatch(change -> change.kind() == EntityKind.ROOM);
                assertThat(sent(f).getLast())
                        .isInstanceOfSatisfying(Change.Upsert.class, upsert -> assertThat(upsert.entity())
                                .isInstanceOf(Site.class));
                assertThat(sent(f)).hasSameSizeAs(log(f));
                assertThat(snapshot(f)).noneMatch(Room.class::isInstance);

                // One edge upgraded: the other still holds the site back.
                report(f.device(), f.edge(), List.of(Room.FEATURE));
                assertThat(sent(f)).noneMatch(change -> change.kind() == EntityKind.ROOM);

                // The other retired: the site gets its room.
                Api.Response retired = hub.api()
                        .patch("/api/v1/devices/" + second.id(), f.device().token(), "{\"status\":\"retired\"}");
                assertThat(retired.status()).as(retired.toString()).isEqualTo(200);
                assertThat(log(f).getLast()).isEqualTo(new Change.Upsert(room));
                assertThat(sent(f).getLast()).isEqualTo(new Change.Upsert(room));
                assertThat(snapshot(f)).contains(room);
            }
        }
    }
}
