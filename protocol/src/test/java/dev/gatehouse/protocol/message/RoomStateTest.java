package dev.gatehouse.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.model.ClockStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The rooms' A/V in {@code device.state}: bounded so that one edge cannot flood the hub, and optional
 * on both sides so that an edge and a hub of different ages keep reading each other.
 */
class RoomStateTest {
    static RoomState room(String id) {
        return new RoomState(
                id,
                Set.of("door-" + id),
                RoomState.Mode.IN_USE,
                Optional.of("bk-1"),
                RoomState.Presence.OCCUPIED,
                Map.of("display-power", "on"),
                Set.of(),
                Set.of(),
                Map.of());
    }

    static RoomState standby(Map<String, String> values, Set<String> overridden, Map<String, String> faults) {
        return new RoomState(
                "huddle",
                Set.of(),
                RoomState.Mode.STANDBY,
                Optional.empty(),
                RoomState.Presence.UNKNOWN,
                values,
                Set.of(),
                overridden,
                faults);
    }

    static DeviceState state(List<RoomState> rooms) {
        return new DeviceState(
                "site-1", "dev-1", 3, ClockStatus.TRUSTED, 0, Health.OK, List.of(), "0.3.0", List.of(), rooms);
    }

    static String json(Message message) {
        return MessageCodec.encodeToString(new Envelope("m-1", Instant.EPOCH, message));
    }

    @Nested
    class Compatibility {
        @Test
        void aStateWithoutRoomsIsWrittenWithoutTheField() {
            // Why: a hub that predates rooms refuses any field it does not know; an edge without
            // rooms (or whose hub does not read them) must send exactly the older form.
            String json = json(state(List.of()));

            assertThat(json).doesNotContain("rooms");
            assertThat(MessageCodec.decode(json).payloadAs(DeviceState.class).rooms())
                    .isEmpty();
        }

        @Test
        void aHubTimeWithoutReadsIsTheFirstVersionsHubTime() {
            // Why: an edge that predates reads refuses the field; the hub sends it only to edges
            // reporting room-state, and the first version's form to the others.
            String json = json(new HubTime("acme", "site-1", "dev-1", "sr-1"));

            assertThat(json).doesNotContain("reads");
            assertThat(MessageCodec.decode(json).payloadAs(HubTime.class).reads())
                    .isEmpty();
        }

        @Test
        void aRoomWithoutDoorsReadsAsNone() {
            // Why: doors came after the first room reports; a report without them still reads.
            String json = json(state(List.of(room("huddle")))).replace("\"doors\":[\"door-huddle\"],", "");

            assertThat(json).doesNotContain("doors");
            assertThat(MessageCodec.decode(json)
                            .payloadAs(DeviceState.class)
                            .rooms()
                            .getFirst()
                            .doors())
                    .isEmpty();
        }

        @Test
        void anUnknownFieldInARoomIsRefusedWithItsPath() {
            String json = json(state(List.of(room("huddle"))))
                    .replace("\"presence\":\"occupied\"", "\"presence\":\"occupied\",\"colour\":\"red\"");

            assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("rooms[0].colour")
                    .extracting(e -> ((ProtocolException) e).error())
                    .isEqualTo(ProtocolError.UNKNOWN_FIELD);
        }
    }

    @Nested
    class Limits {
        @Test
        void aStateReportsAtMost32Rooms() {
            List<RoomState> rooms = IntStream.rangeClosed(1, 33)
                    .mapToObj(i -> room("room-" + i))
                    .toList();

            assertThatThrownBy(() -> state(rooms))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage("device state lists 33 rooms; the limit is 32");
            assertThat(state(rooms.subList(0, 32)).rooms()).hasSize(32);
        }

        @Test
        void aRoomIsReportedOnce() {
            assertThatThrownBy(() -> state(List.of(room("huddle"), room("huddle"))))
                    .hasMessage("device state lists a room twice");
        }

        @Test
        void aFaultIsAtMost200CharactersAndAValue500() {
            assertThatThrownBy(() -> standby(Map.of(), Set.of(), Map.of("lights-level", "x".repeat(201))))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage("room huddle fault of lights-level is 201 characters long; the limit is 200");
            assertThatThrownBy(() -> standby(Map.of("join-link", "h".repeat(501)), Set.of(), Map.of()))
                    .hasMessage("room huddle value of join-link is 501 characters long; the limit is 500");
        }

        @Test
        void aFunctionIsAKebabCaseKeyAndARoomListsAtMostEight() {
            assertThatThrownBy(() -> standby(Map.of("Display Power", "on"), Set.of(), Map.of()))
                    .hasMessageContaining("names the function 'Display Power'");
            Set<String> nine =
                    IntStream.rangeClosed(1, 9).mapToObj(i -> "f" + i).collect(Collectors.toSet());
            assertThatThrownBy(() -> standby(Map.of(), nine, Map.of()))
                    .hasMessage("room huddle lists 9 functions in overridden; the limit is 8");
        }

        @Test
        void aRoomListsAtMost16DoorsEachAnId() {
            Set<String> seventeen =
                    IntStream.rangeClosed(1, 17).mapToObj(i -> "d" + i).collect(Collectors.toSet());
            assertThatThrownBy(() -> withDoors(seventeen))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessage("room huddle lists 17 doors; the limit is 16");
            assertThatThrownBy(() -> withDoors(Set.of("front door")))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("room huddle door");
            assertThat(withDoors(Set.of("d1", "d2")).doors()).containsExactlyInAnyOrder("d1", "d2");
        }

        private static RoomState withDoors(Set<String> doors) {
            return new RoomState(
                    "huddle",
                    doors,
                    RoomState.Mode.STANDBY,
                    Optional.empty(),
                    RoomState.Presence.FREE,
                    Map.of(),
                    Set.of(),
                    Set.of(),
                    Map.of());
        }

        @Test
        void aBookingIsAnId() {
            assertThatThrownBy(() -> new RoomState(
                            "huddle",
                            Set.of(),
                            RoomState.Mode.IN_USE,
                            Optional.of("bk 1"),
                            RoomState.Presence.FREE,
                            Map.of(),
                            Set.of(),
                            Set.of(),
                            Map.of()))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("room state booking");
        }
    }
}
