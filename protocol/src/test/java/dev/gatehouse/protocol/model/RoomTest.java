package dev.gatehouse.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A room's A/V controller as the hub pushes it: every value an edge would act on is checked on the way in. */
class RoomTest {
    private static final Map<String, String> NODES = Map.of("display-power", "ns=2;s=room-1/Display/Power");

    private static Room room(Set<String> doors, String controller, Map<String, String> nodes) {
        return new Room("res-room-1", doors.stream().map(DoorId::new).collect(Collectors.toSet()), controller, nodes);
    }

    private static String message(Runnable make) {
        try {
            make.run();
        } catch (ProtocolException e) {
            assertThat(e.error()).isEqualTo(ProtocolError.BAD_VALUE);
            return e.getMessage();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aRoomRoundTripsThroughTheCodecWithItsNodesInKeyOrder() {
        Map<String, String> nodes = new HashMap<>();
        nodes.put("presence", "nsu=urn:vendor:rooms;s=room-1/Presence");
        nodes.put("display-power", "ns=2;s=room-1/Display/Power");
        nodes.put("lights-level", "ns=3;i=1042");
        Room room = room(Set.of("door-1", "door-2"), "opc.tcp://[fe80::1]:4840/rooms", nodes);

        String json = MessageCodec.encodeEntity(room);
        Entity back = MessageCodec.decodeEntity(json);

        assertThat(back).isEqualTo(room);
        assertThat(json)
                .contains("\"nodes\":{\"display-power\":\"ns=2;s=room-1/Display/Power\","
                        + "\"lights-level\":\"ns=3;i=1042\",\"presence\":");
        assertThat(new Change.Remove(EntityKind.ROOM, "res-room-1").kind()).isEqualTo(EntityKind.ROOM);
    }

    @Test
    void anEndpointThatIsNotOpcTcpSaysHowToWriteOne() {
        assertThat(message(() -> room(Set.of("d"), "http://10.0.0.5:4840", NODES)))
                .contains("is not an OPC UA endpoint; write e.g. opc.tcp://192.168.1.50:4840");
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://10.0.0.5", NODES)))
                .contains("not an OPC UA endpoint");
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://10.0.0.5:70000/x", NODES)))
                .contains("port 70000 is outside 1-65535");
        assertThatThrownBy(() -> room(Set.of("d"), "opc.tcp://h:1/" + "x".repeat(Room.MAX_ENDPOINT), NODES))
                .hasMessageContaining("the limit is 200");
    }

    @Test
    void nodesMustNameKnownFunctionsAndBeNodeIds() {
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://h:4840", Map.of())))
                .contains("maps no function to a node");
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://h:4840", Map.of("coffee", "ns=2;s=x"))))
                .contains("'coffee' is not a room function; use any of [display-power");
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://h:4840", Map.of("display-power", "Display.Power"))))
                .contains("is not an OPC UA node id")
                .contains("nsu=urn:vendor:rooms;s=room-1/Display/Power");
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://h:4840", Map.of("display-power", "ns=70000;i=1"))))
                .contains("is not an OPC UA node id");
        assertThat(message(() -> room(Set.of("d"), "opc.tcp://h:4840", Map.of("display-power", "ns=2;s=a\nb"))))
                .contains("control character");
    }

    @Test
    void aRoomHasOneToSixteenDoors() {
        assertThat(message(() -> room(Set.of(), "opc.tcp://h:4840", NODES))).contains("has 0 doors; it needs 1 to 16");
        Set<String> seventeen =
                IntStream.range(0, 17).mapToObj(i -> "door-" + i).collect(Collectors.toSet());
        assertThat(message(() -> room(seventeen, "opc.tcp://h:4840", NODES))).contains("has 17 doors");
    }

    @Test
    void anUnknownFieldInARoomIsRefusedWithTheBatch() {
        String json = "{\"kind\":\"room\",\"id\":\"r\",\"doors\":[\"d\"],\"controller\":\"opc.tcp://h:4840\","
                + "\"nodes\":{\"display-power\":\"ns=2;s=x\"},\"relay\":\"gpio17\"}";
        assertThatThrownBy(() -> MessageCodec.decodeEntity(json))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("relay")
                .hasMessageContaining("is not a field of this object");
    }
}
