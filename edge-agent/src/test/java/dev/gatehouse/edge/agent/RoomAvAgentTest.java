package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.edge.av.RoomAvStatus;
import dev.gatehouse.edge.av.RoomBooking;
import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.Room;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.sim.av.AvPoint;
import dev.gatehouse.sim.av.SimRoom;
import dev.gatehouse.sim.av.SimRoomController;
import dev.gatehouse.sim.av.WriteFault;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent with a {@code rooms} section: it runs each room's A/V beside its doors, reports a room's
 * faults in its device state, and decides doors as always while a room's controller does not answer.
 */
class RoomAvAgentTest {
    /** The demo site with a room at its door, whose display and lights are on {@code controller}. */
    private static DemoSite withRoom(Path dir, String controller, String power, String lights) throws Exception {
        DemoSite demo = new DemoSite(dir);
        Files.writeString(
                demo.configFile,
                Files.readString(demo.configFile)
                        + RoomConfigs.huddle(controller, Map.of("display-power", power, "lights-level", lights)));
        return demo;
    }

    private static RoomBooking now(String id) {
        Instant now = Instant.now();
        return new RoomBooking(id, now.minusSeconds(60), now.plusSeconds(3600), Optional.empty());
    }

    @Test
    void theAgentRunsItsRoomsAndReportsTheirFaultsInItsState(@TempDir Path dir) throws Exception {
        try (SimRoomController controller = SimRoomController.start(List.of(SimRoom.standard("huddle")))) {
            controller.set("huddle", AvPoint.DISPLAY_POWER, true); // left on
            DemoSite demo = withRoom(
                    dir,
                    controller.endpointUrl(),
                    controller.nodeId("huddle", AvPoint.DISPLAY_POWER).orElseThrow(),
                    controller.nodeId("huddle", AvPoint.LIGHTS_LEVEL).orElseThrow());
            try (SimulatedHardware hardware =
                            SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
                    EdgeAgent agent = demo.startSimulated(hardware)) {
                // Nothing booked: the room is put in standby.
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(false));
                controller.failWrites("huddle", AvPoint.LIGHTS_LEVEL, WriteFault.REFUSE);

                assertThat(agent.rooms().orElseThrow().bookings("huddle", List.of(now("b1"))))
                        .isTrue();

                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(true));
                // Why: the hub hears of a room that cannot be set in the device's state, as of a reader fault.
                await().atMost(Duration.ofSeconds(20)).until(() -> agent.localProblems()
                        .contains("room huddle A/V: lights-level 80: refused by the controller:"
                                + " Bad_NotWritable (3 tries)"));
            }
        }
    }

    @Test
    void aBookingSyncedFromTheHubPowersItsRoomAndItsRemovalPutsTheRoomInStandby(@TempDir Path dir) throws Exception {
        try (SimRoomController controller = SimRoomController.start(List.of(SimRoom.standard("huddle")))) {
            DemoSite demo = withRoom(
                    dir,
                    controller.endpointUrl(),
                    controller.nodeId("huddle", AvPoint.DISPLAY_POWER).orElseThrow(),
                    controller.nodeId("huddle", AvPoint.LIGHTS_LEVEL).orElseThrow());
            try (SimulatedHardware hardware =
                            SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
                    EdgeAgent agent = demo.startSimulated(hardware)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(false));
                Instant now = Instant.now();
                long applied = demo.entitlements(now).size();
                // Why: nobody calls the room; a booking of a door the room covers, as the hub syncs it, is enough.
                Booking booking = runningAtTheDoor("bk-huddle", now);
                agent.applySigned(batch(demo, applied + 1, List.of(new Change.Upsert(booking)), now));
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(true));

                agent.applySigned(
                        batch(demo, applied + 2, List.of(new Change.Remove(EntityKind.BOOKING, "bk-huddle")), now));
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(false));
            }
        }
    }

    @Test
    void aBookingsJoinLinkReachesTheDisplayAndANoShowReleasedAtTheEdgePutsTheRoomInStandby(@TempDir Path dir)
            throws Exception {
        try (SimRoomController controller = SimRoomController.start(List.of(SimRoom.standard("huddle")))) {
            DemoSite demo = new DemoSite(dir);
            Files.writeString(
                    demo.configFile,
                    Files.readString(demo.configFile)
                            + """
                    rooms:
                      - id: huddle
                        doors: [main-entrance]
                        controller: %s
                        nodes:
                          display-power: %s
                          join-link: %s
                    """.formatted(
                                            controller.endpointUrl(),
                                            controller
                                                    .nodeId("huddle", AvPoint.DISPLAY_POWER)
                                                    .orElseThrow(),
                                            controller
                                                    .nodeId("huddle", AvPoint.JOIN_LINK)
                                                    .orElseThrow()));
            try (SimulatedHardware hardware =
                            SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
                    EdgeAgent agent = demo.startSimulated(hardware)) {
                Instant now = Instant.now();
                long applied = demo.entitlements(now).size();
                // Released 8 s from now unless someone checks in; nobody comes.
                Booking booking = new Booking(
                        BookingId.of("bk-no-show"),
                        MemberId.of("ada"),
                        Set.of(DoorId.of(DemoSite.DOOR)),
                        now.minus(Duration.ofMinutes(5)).plusSeconds(8),
                        now.plus(Duration.ofHours(1)),
                        Duration.ZERO,
                        Duration.ZERO,
                        Optional.of("res-huddle"),
                        Set.of(),
                        Optional.of(Booking.CheckIn.required(Duration.ZERO, Duration.ofMinutes(5))),
                        Optional.of("https://meet.example.com/huddle-standup"));
                agent.applySigned(batch(demo, applied + 1, List.of(new Change.Upsert(booking)), now));
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.JOIN_LINK)
                        .equals("https://meet.example.com/huddle-standup"));
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(true));

                // Why: an empty room released for want of a check-in must not keep its display on.
                await().atMost(Duration.ofSeconds(30)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(false));
                assertThat(Instant.now()).isAfter(booking.releaseAt().orElseThrow());
            }
        }
    }

    @Test
    void aRoomPushedByTheHubTakesThePlaceOfTheConfiguredOneUntilTheHubRemovesIt(@TempDir Path dir) throws Exception {
        try (SimRoomController controller =
                SimRoomController.start(List.of(SimRoom.standard("huddle"), SimRoom.standard("pushed")))) {
            DemoSite demo = withRoom(
                    dir,
                    controller.endpointUrl(),
                    controller.nodeId("huddle", AvPoint.DISPLAY_POWER).orElseThrow(),
                    controller.nodeId("huddle", AvPoint.LIGHTS_LEVEL).orElseThrow());
            try (SimulatedHardware hardware =
                            SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
                    EdgeAgent agent = demo.startSimulated(hardware)) {
                assertThat(roomIds(agent)).containsExactly("huddle");
                Instant now = Instant.now();
                long seq = demo.entitlements(now).size();
                Booking booking = runningAtTheDoor("bk-pushed", now);
                // A room behind a door of another edge of the site is not this edge's to run.
                Room elsewhere = new Room(
                        "res-elsewhere",
                        Set.of(DoorId.of("door-of-another-edge")),
                        controller.endpointUrl(),
                        Map.of(
                                "display-power",
                                controller
                                        .nodeId("huddle", AvPoint.DISPLAY_POWER)
                                        .orElseThrow()));
                Room pushed = new Room(
                        "res-huddle",
                        Set.of(DoorId.of(DemoSite.DOOR)),
                        controller.endpointUrl(),
                        Map.of(
                                "display-power",
                                controller
                                        .nodeId("pushed", AvPoint.DISPLAY_POWER)
                                        .orElseThrow(),
                                "lights-level",
                                controller
                                        .nodeId("pushed", AvPoint.LIGHTS_LEVEL)
                                        .orElseThrow()));

                agent.applySigned(batch(
                        demo,
                        seq + 1,
                        List.of(new Change.Upsert(elsewhere), new Change.Upsert(pushed), new Change.Upsert(booking)),
                        now));

                // Why: the hub's mapping wins over the edge's own: the room runs on the pushed nodes.
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> roomIds(agent).equals(List.of("res-huddle")));
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("pushed", AvPoint.DISPLAY_POWER)
                        .equals(true));
                assertThat(controller.value("pushed", AvPoint.LIGHTS_LEVEL)).isEqualTo(80.0);
                assertThat(controller.value("huddle", AvPoint.DISPLAY_POWER)).isEqualTo(false);

                // Why: a removed room gives the door back to the edge's config, which runs the booking.
                agent.applySigned(batch(demo, seq + 4, List.of(new Change.Remove(EntityKind.ROOM, "res-huddle")), now));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> roomIds(agent).equals(List.of("huddle")));
                await().atMost(Duration.ofSeconds(20)).until(() -> controller
                        .value("huddle", AvPoint.DISPLAY_POWER)
                        .equals(true));
            }
        }
    }

    /** Ada's booking of the demo door, begun a minute before {@code now}, for an hour. */
    private static Booking runningAtTheDoor(String id, Instant now) {
        return new Booking(
                BookingId.of(id),
                MemberId.of("ada"),
                Set.of(DoorId.of(DemoSite.DOOR)),
                now.minusSeconds(60),
                now.plus(Duration.ofHours(1)),
                Duration.ZERO,
                Duration.ZERO);
    }

    private static List<String> roomIds(EdgeAgent agent) {
        return agent.rooms()
                .map(av -> av.status().stream().map(RoomAvStatus::room).toList())
                .orElse(List.of());
    }

    private static String batch(DemoSite demo, long seq, List<Change> changes, Instant now) {
        return SignedMessages.sign(
                new Envelope(
                        "batch-" + seq,
                        now,
                        new SyncBatch(DemoSite.TENANT, DemoSite.SITE, seq, seq + changes.size() - 1, changes)),
                demo.hubKey);
    }

    @Test
    void doorsDecideWhileARoomsControllerDoesNotAnswer(@TempDir Path dir) throws Exception {
        // A controller that takes connections and never answers: the room's thread waits on it.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            DemoSite demo = withRoom(
                    dir,
                    "opc.tcp://127.0.0.1:" + silent.getLocalPort() + "/rooms",
                    "ns=2;s=huddle/Display/Power",
                    "ns=2;s=huddle/Lighting/Level");
            List<Decided> decisions = new CopyOnWriteArrayList<>();
            try (SimulatedHardware hardware =
                            SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
                    EdgeAgent agent = demo.startSimulated(hardware)) {
                agent.onDecision(decisions::add);
                agent.rooms().orElseThrow().bookings("huddle", List.of(now("b1")));

                hardware.site().holdCard(NFC, ADA);

                await().atMost(Duration.ofSeconds(10)).until(() -> !decisions.isEmpty());
                assertThat(decisions.getFirst().decision()).isInstanceOf(Decision.Granted.class);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> hardware.site().relay(DOOR).energised());
                RoomAvStatus room = agent.rooms().orElseThrow().status().getFirst();
                assertThat(room.unconfirmed()).contains(RoomFunction.DISPLAY_POWER);
            }
        }
    }
}
