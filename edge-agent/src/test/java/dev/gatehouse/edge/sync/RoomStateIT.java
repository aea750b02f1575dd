package dev.gatehouse.edge.sync;

import static dev.gatehouse.edge.agent.DemoSite.SITE;
import static dev.gatehouse.edge.agent.DemoSite.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.agent.RoomConfigs;
import dev.gatehouse.edge.av.AvValue;
import dev.gatehouse.edge.av.RoomBooking;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.sim.av.AvPoint;
import dev.gatehouse.sim.av.SimRoom;
import dev.gatehouse.sim.av.SimRoomController;
import dev.gatehouse.sim.av.WriteFault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rooms' A/V in the device state, against a real broker and a real OPC UA room controller (the
 * simulator's Milo server): sent only once the hub says it reads them, and sent at once (not at the
 * 30 s heartbeat) when a room's function fails or works again.
 */
class RoomStateIT {
    private HubDouble hub;
    private SimRoomController controller;
    private Edge edge;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        hub = new HubDouble(dir.resolve("broker"));
        controller = SimRoomController.start(List.of(SimRoom.standard("huddle")));
        String rooms = RoomConfigs.huddle(
                controller.endpointUrl(),
                Map.of(
                        "display-power",
                                controller
                                        .nodeId("huddle", AvPoint.DISPLAY_POWER)
                                        .orElseThrow(),
                        "lights-level",
                                controller
                                        .nodeId("huddle", AvPoint.LIGHTS_LEVEL)
                                        .orElseThrow(),
                        "presence",
                                controller.nodeId("huddle", AvPoint.PRESENCE).orElseThrow()));
        Path edgeDir = Files.createDirectories(dir.resolve("edge"));
        edge = new Edge(
                edgeDir,
                "dev-rooms-" + UUID.randomUUID().toString().substring(0, 8),
                hub.url(),
                UnaryOperator.identity(),
                rooms);
    }

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private DeviceState stateWhere(Predicate<DeviceState> test) {
        return (DeviceState)
                hub.await(edge.device, Channel.STATE, e -> e.payload() instanceof DeviceState state && test.test(state))
                        .envelope()
                        .payload();
    }

    private static Optional<RoomState> huddle(DeviceState state) {
        return state.rooms().stream()
                .filter(room -> room.room().equals("huddle"))
                .findFirst();
    }

    /** Answers the edge's latest sync request as a hub that reads rooms. */
    private void answerAsAHubThatReadsRooms() throws Exception {
        Envelope request =
                hub.await(edge.device, Channel.SYNC_REQUEST, e -> true).envelope();
        String time = SignedMessages.sign(
                new Envelope(
                        "ht-" + UUID.randomUUID(),
                        Instant.now(),
                        new HubTime(TENANT, SITE, edge.device, request.id(), List.of(DeviceState.ROOMS_FEATURE))),
                edge.site.hubKey);
        hub.publish(edge.device, Channel.TIME, time);
    }

    @Test
    void roomsGoOnlyToAHubThatSaysItReadsThem() throws Exception {
        // Why: a hub that predates rooms refuses a state that has them, and would lose the device's
        // health with it; the edge says it can send them and waits to be asked.
        DeviceState first = stateWhere(state -> true);
        assertThat(first.features()).contains(DeviceState.ROOMS_FEATURE);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> controller.value("huddle", AvPoint.DISPLAY_POWER).equals(false));
        assertThat(hub.from(edge.device, Channel.STATE)).allSatisfy(received -> assertThat(
                        ((DeviceState) received.envelope().payload()).rooms())
                .isEmpty());

        answerAsAHubThatReadsRooms();

        DeviceState withRooms = stateWhere(state -> huddle(state)
                .filter(room -> room.mode() == RoomState.Mode.STANDBY)
                .filter(room -> "off".equals(room.values().get("display-power")))
                .isPresent());
        RoomState room = huddle(withRooms).orElseThrow();
        assertThat(room.booking()).isEmpty();
        // The room's doors from the config: by them the hub finds the room's bookable resource.
        assertThat(room.doors()).containsExactly("main-entrance");
        assertThat(room.presence()).isEqualTo(RoomState.Presence.FREE);
        assertThat(room.faults()).isEmpty();
    }

    @Test
    void aFaultAndItsRecoveryAreSentWithoutWaitingForTheHeartbeat() throws Exception {
        // Why: the site's day view shows a room that cannot be set while the meeting is on, not
        // half a minute later; the heartbeat is 30 s, so a state within 10 s was nudged.
        answerAsAHubThatReadsRooms();
        stateWhere(state -> huddle(state)
                .filter(room -> room.mode() == RoomState.Mode.STANDBY)
                .isPresent());
        controller.failWrites("huddle", AvPoint.LIGHTS_LEVEL, WriteFault.REFUSE);
        controller.setPresence("huddle", true);
        Instant now = Instant.now();
        edge.agent
                .rooms()
                .orElseThrow()
                .bookings("huddle", List.of(new RoomBooking("bk-1", now.minusSeconds(60), now.plusSeconds(3600))));

        DeviceState faulty = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> hub.from(edge.device, Channel.STATE).stream()
                                .map(received ->
                                        (DeviceState) received.envelope().payload())
                                .filter(state -> huddle(state)
                                        .filter(room -> room.faults().containsKey("lights-level"))
                                        .isPresent())
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        RoomState room = huddle(faulty).orElseThrow();
        assertThat(room.mode()).isEqualTo(RoomState.Mode.IN_USE);
        assertThat(room.booking()).contains("bk-1");
        assertThat(room.presence()).isEqualTo(RoomState.Presence.OCCUPIED);
        assertThat(room.values()).containsEntry("display-power", "on");
        assertThat(room.faults().get("lights-level"))
                .isEqualTo("lights-level 80: refused by the controller: Bad_NotWritable (3 tries)");
        assertThat(faulty.problems()).anyMatch(problem -> problem.startsWith("room huddle A/V: lights-level"));

        controller.failWrites("huddle", AvPoint.LIGHTS_LEVEL, WriteFault.NONE);
        edge.agent.rooms().orElseThrow().override("huddle", RoomFunction.LIGHTS_LEVEL, AvValue.of(40));

        await().atMost(Duration.ofSeconds(10)).until(() -> hub.from(edge.device, Channel.STATE).stream()
                .map(received -> (DeviceState) received.envelope().payload())
                .anyMatch(state -> huddle(state)
                        .filter(recovered -> recovered.faults().isEmpty())
                        .filter(recovered -> recovered.overridden().contains("lights-level"))
                        .filter(recovered -> Map.of("display-power", "on", "lights-level", "40")
                                .equals(recovered.values()))
                        .isPresent()));
    }
}
