package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.av.AvValue;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomScene;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Room;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which rooms an edge runs when the hub pushes some: the pushed ones at its doors, in place of its own. */
class PushedRoomsTest {
    private static final RoomScene WARM = new RoomScene(
            Duration.ofMinutes(10), Optional.of(AvValue.of("HDMI2")), 60, Optional.of(21.0), 5, Optional.empty());
    private static final EdgeConfig.Room LOCAL_ADA = new EdgeConfig.Room(
            "room-ada",
            "Ada",
            List.of("door-ada"),
            "opc.tcp://10.0.0.5:4840",
            Map.of(RoomFunction.DISPLAY_POWER, "ns=2;s=ada/Display/Power"),
            WARM);
    private static final EdgeConfig.Room LOCAL_BOOTH = new EdgeConfig.Room(
            "booth",
            "Booth",
            List.of("door-booth"),
            "opc.tcp://10.0.0.5:4840",
            Map.of(RoomFunction.LIGHTS_LEVEL, "ns=2;s=booth/Lighting/Level"),
            RoomScene.defaults());

    private static Room pushed(String id, String... doors) {
        return new Room(
                id,
                Set.of(doors).stream().map(DoorId::new).collect(java.util.stream.Collectors.toSet()),
                "opc.tcp://10.0.0.9:4840/rooms",
                Map.of("display-power", "nsu=urn:x;s=" + id + "/Power", "presence", "ns=3;i=7"));
    }

    @Test
    void withoutPushedRoomsTheConfigsRoomsRun() {
        assertThat(PushedRooms.effective(List.of(LOCAL_ADA, LOCAL_BOOTH), List.of(), Set.of("door-ada")))
                .containsExactly(LOCAL_ADA, LOCAL_BOOTH);
    }

    @Test
    void aPushedRoomAtAConfiguredRoomsDoorReplacesItAndKeepsItsNameAndScene() {
        List<EdgeConfig.Room> rooms = PushedRooms.effective(
                List.of(LOCAL_ADA, LOCAL_BOOTH),
                List.of(pushed("res-ada", "door-ada", "door-ada-2")),
                Set.of("door-ada"));

        assertThat(rooms).extracting(EdgeConfig.Room::id).containsExactly("res-ada", "booth");
        EdgeConfig.Room ada = rooms.getFirst();
        assertThat(ada.name()).isEqualTo("Ada");
        assertThat(ada.scene()).isEqualTo(WARM);
        assertThat(ada.controller()).isEqualTo("opc.tcp://10.0.0.9:4840/rooms");
        assertThat(ada.doors()).containsExactly("door-ada", "door-ada-2");
        assertThat(ada.nodes())
                .containsOnlyKeys(RoomFunction.DISPLAY_POWER, RoomFunction.PRESENCE)
                .containsEntry(RoomFunction.PRESENCE, "ns=3;i=7");
    }

    @Test
    void aPushedRoomReplacesTheConfiguredRoomWithItsIdAndEveryOneAtItsDoors() {
        List<EdgeConfig.Room> rooms = PushedRooms.effective(
                List.of(LOCAL_ADA, LOCAL_BOOTH), List.of(pushed("booth", "door-ada")), Set.of("door-ada"));

        // Why: a door leads into one room; the one with the pushed id lends its name and scene.
        assertThat(rooms).extracting(EdgeConfig.Room::id).containsExactly("booth");
        assertThat(rooms.getFirst().name()).isEqualTo("Booth");
        assertThat(rooms.getFirst().scene()).isEqualTo(RoomScene.defaults());
    }

    @Test
    void aPushedRoomWhoseDoorsAreNotWiredHereIsAnotherEdgesToRun() {
        List<EdgeConfig.Room> rooms =
                PushedRooms.effective(List.of(LOCAL_ADA), List.of(pushed("res-ada", "door-ada")), Set.of("door-booth"));

        assertThat(rooms).containsExactly(LOCAL_ADA);
    }

    @Test
    void aNewPushedRoomRunsWithTheDefaultSceneUnderItsId() {
        List<EdgeConfig.Room> rooms = PushedRooms.effective(
                List.of(), List.of(pushed("res-z", "door-z"), pushed("res-a", "door-a")), Set.of("door-a", "door-z"));

        assertThat(rooms).extracting(EdgeConfig.Room::id).containsExactly("res-a", "res-z");
        assertThat(rooms.getFirst().name()).isEqualTo("res-a");
        assertThat(rooms.getFirst().scene()).isEqualTo(RoomScene.defaults());
    }

    @Test
    void everyProtocolRoomFunctionIsOneTheEdgeCanRun() {
        // Why: a key the protocol admits but the edge cannot map would stop the rooms' set-up.
        assertThat(Room.FUNCTIONS)
                .containsExactlyElementsOf(java.util.Arrays.stream(RoomFunction.values())
                        .map(RoomFunction::key)
                        .toList());
    }
}
