package dev.gatehouse.edge.av;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.testing.ManualScheduler;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.sim.av.AvPoint;
import dev.gatehouse.sim.av.PointType;
import dev.gatehouse.sim.av.SimRoom;
import dev.gatehouse.sim.av.SimRoomController;
import dev.gatehouse.sim.av.WriteFault;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A room's A/V following its bookings, against a real OPC UA server (the simulated room controller)
 * through the production adapter, with time moved by the test: a manual scheduler plays the room's
 * queue on the test's thread, so every write has happened, and been read back, when an advance
 * returns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomAvSchedulerTest {
    private static final Instant EIGHT = Instant.parse("2026-03-02T08:00:00Z");
    private static final String LINK = "https://meet.example/standup";
    /** A booking scene: 5 minutes' warm-up, HDMI1, lights 80 %, 21.5 °C; standby 18 °C. */
    private static final RoomScene SCENE = new RoomScene(
            Duration.ofMinutes(5), Optional.of(AvValue.of("HDMI1")), 80, Optional.of(21.5), 0, Optional.of(18.0));

    private SimRoomController controller;
    private MiloRoomAv av;
    private final List<Boolean> powerWrites = new CopyOnWriteArrayList<>();

    private MutableClock clock;
    private ManualScheduler queue;
    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final RoomAvListener listener = new RoomAvListener() {
        @Override
        public void fault(String room, RoomFunction function, String detail) {
            reports.add("fault " + room + " " + function.key() + ": " + detail);
        }

        @Override
        public void restored(String room, RoomFunction function) {
            reports.add("restored " + room + " " + function.key());
        }
    };

    @BeforeAll
    void startController() {
        controller = SimRoomController.start(List.of(
                SimRoom.standard("main"),
                SimRoom.standard("bare")
                        .without(AvPoint.DISPLAY_INPUT)
                        .without(AvPoint.JOIN_LINK)
                        .without(AvPoint.HVAC_SETPOINT)
                        .without(AvPoint.PRESENCE),
                SimRoom.standard("typed")
                        .with(AvPoint.LIGHTS_LEVEL, PointType.INT32)
                        .with(AvPoint.DISPLAY_INPUT, PointType.UINT32)
                        .with(AvPoint.HVAC_SETPOINT, PointType.FLOAT)));
        controller.onWrite((room, point, value, nanos) -> {
            if (room.equals("main") && point == AvPoint.DISPLAY_POWER) {
                powerWrites.add((Boolean) value);
            }
        });
        av = new MiloRoomAv(List.of(main(), bare(), typed(), ghost()));
    }

    @AfterAll
    void stopController() {
        av.close();
        controller.close();
    }

    @BeforeEach
    void dirtyRooms() {
        // Each room starts as someone left it: display on, lights up, so standby has something to do.
        for (String room : List.of("main", "bare", "typed")) {
            for (AvPoint point : AvPoint.values()) {
                if (controller.nodeId(room, point).isPresent()) {
                    controller.failWrites(room, point, WriteFault.NONE);
                }
            }
            controller.set(room, AvPoint.DISPLAY_POWER, true);
            controller.set(room, AvPoint.LIGHTS_LEVEL, 55);
        }
        controller.set("main", AvPoint.JOIN_LINK, "https://meet.example/yesterday");
        clock = new MutableClock(EIGHT);
        queue = new ManualScheduler(clock);
        reports.clear();
        powerWrites.clear();
    }

    private RoomSetup main() {
        return RoomAvFixture.setup(controller, "main", SCENE);
    }

    private RoomSetup bare() {
        return RoomAvFixture.setup(controller, "bare", RoomScene.defaults());
    }

    private RoomSetup typed() {
        return RoomAvFixture.setup(
                controller,
                "typed",
                new RoomScene(
                        Duration.ofMinutes(10),
                        Optional.of(AvValue.of(2)),
                        60,
                        Optional.of(22.5),
                        5,
                        Optional.empty()));
    }

    /** The main room's controller, with a join-link node that is not there (a typo in the mapping). */
    private RoomSetup ghost() {
        RoomSetup main = main();
        Map<RoomFunction, String> nodes = new java.util.EnumMap<>(main.nodes());
        nodes.put(RoomFunction.JOIN_LINK, "ns=2;s=main/Display/Joinlink");
        return new RoomSetup("ghost", main.controller(), nodes, RoomScene.defaults());
    }

    private RoomAvScheduler started(RoomSetup setup) {
        RoomAvScheduler scheduler = new RoomAvScheduler(setup, av, clock, queue, listener);
        scheduler.start();
        return scheduler;
    }

    private static Instant at(String time) {
        return Instant.parse("2026-03-02T" + time + ":00Z");
    }

    private static RoomBooking booking(String id, String start, String end, String link) {
        return new RoomBooking(id, at(start), at(end), Optional.ofNullable(link));
    }

    private Object main(AvPoint point) {
        return controller.value("main", point);
    }

    private void assertStandby() {
        assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(false);
        assertThat(main(AvPoint.JOIN_LINK)).isEqualTo("");
        assertThat(main(AvPoint.LIGHTS_LEVEL)).isEqualTo(0.0);
        assertThat(main(AvPoint.HVAC_SETPOINT)).isEqualTo(18.0);
    }

    private void assertInScene(String link) {
        assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(true);
        assertThat(main(AvPoint.DISPLAY_INPUT)).isEqualTo("HDMI1");
        assertThat(main(AvPoint.JOIN_LINK)).isEqualTo(link);
        assertThat(main(AvPoint.LIGHTS_LEVEL)).isEqualTo(80.0);
        assertThat(main(AvPoint.HVAC_SETPOINT)).isEqualTo(21.5);
    }

    @Nested
    class FollowingBookings {
        @Test
        void aRoomIsInStandbyUntilTheWarmUpThenInItsSceneConfirmedByReadBack() {
            // Why: the members walk into a room that is ready, and not a minute earlier is it powered.
            RoomAvScheduler room = started(main());
            assertStandby();

            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));
            queue.advanceTo(at("08:54").plusSeconds(59));
            assertStandby();

            queue.advanceTo(at("08:55"));
            assertInScene(LINK);
            RoomAvStatus status = room.status();
            assertThat(status.mode()).isEqualTo(RoomState.Mode.IN_USE);
            assertThat(status.bookingId()).contains("b1");
            assertThat(status.unconfirmed()).isEmpty();
            assertThat(reports).isEmpty();
        }

        @Test
        void atTheBookingsEndTheRoomGoesToStandby() {
            RoomAvScheduler room = started(main());
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));
            queue.advanceTo(at("09:59"));
            assertInScene(LINK);

            queue.advanceTo(at("10:00"));

            assertStandby();
            assertThat(room.status().mode()).isEqualTo(RoomState.Mode.STANDBY);
        }

        @Test
        void aReleasedBookingTurnsTheRoomOffAtOnceAndAReleasedFutureOneNeverTurnsItOn() {
            // Why: a no-show release or an early end frees the room; its display must not burn on.
            RoomAvScheduler room = started(main());
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK), booking("b2", "11:00", "12:00", null)));
            queue.advanceTo(at("09:10"));
            assertInScene(LINK);

            room.release("b1");
            assertStandby();

            room.release("b2");
            queue.advanceTo(at("11:30"));
            assertStandby();
            assertThat(powerWrites).containsExactly(false, true, false);
        }

        @Test
        void aBookingGoneFromTheListIsOverForTheRoom() {
            RoomAvScheduler room = started(main());
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));
            queue.advanceTo(at("09:10"));

            room.bookings(List.of()); // cancelled at the hub

            assertStandby();
        }

        @Test
        void backToBackBookingsKeepTheDisplayOnAndOnlyChangeTheLink() {
            // Why: powering a display off and on again between meetings 20 minutes apart wears it and
            // greets the next group with a dark screen; the previous meeting's link must go, though.
            RoomAvScheduler room = started(main());
            room.bookings(List.of(
                    booking("b1", "09:00", "10:00", LINK), booking("b2", "10:20", "11:00", "https://meet.example/b2")));
            queue.advanceTo(at("10:00"));

            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(main(AvPoint.JOIN_LINK)).isEqualTo("");
            assertThat(room.status().mode()).isEqualTo(RoomState.Mode.BETWEEN);

            queue.advanceTo(at("10:15"));
            assertInScene("https://meet.example/b2");
            queue.advanceTo(at("11:00"));
            assertStandby();
            assertThat(powerWrites).doesNotContainSequence(true, false, true).endsWith(false);
        }

        @Test
        void aRoomWithNothingBookedWithinThirtyMinutesGoesToStandby() {
            // Why: energy mode: a gap of 45 minutes is worth switching off for.
            RoomAvScheduler room = started(main());
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK), booking("b2", "10:45", "11:30", null)));

            queue.advanceTo(at("10:00"));
            assertStandby();
            assertThat(room.status().mode()).isEqualTo(RoomState.Mode.STANDBY);

            queue.advanceTo(at("10:39"));
            assertStandby(); // 6 minutes before b2: not yet warmed up
            queue.advanceTo(at("10:40"));
            assertInScene("");
        }

        @Test
        void aChangedJoinLinkDuringTheBookingIsWrittenAlone() {
            RoomAvScheduler room = started(main());
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));
            queue.advanceTo(at("09:05"));
            int powerBefore = controller.writes("main", AvPoint.DISPLAY_POWER);

            room.bookings(List.of(booking("b1", "09:00", "10:30", "https://meet.example/moved")));

            assertThat(main(AvPoint.JOIN_LINK)).isEqualTo("https://meet.example/moved");
            assertThat(controller.writes("main", AvPoint.DISPLAY_POWER)).isEqualTo(powerBefore);
            queue.advanceTo(at("10:00"));
            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(true); // extended to 10:30
        }
    }

    @Nested
    class VerifiedWrites {
        @Test
        void aWriteThatDoesNotStickIsRetriedThenReportedOnceThenRestoredWhenItWorks() {
            // Why: a display answering "Good" to a command it dropped must not leave a room dark unnoticed.
            RoomAvScheduler room = started(main());
            controller.failWrites("main", AvPoint.DISPLAY_POWER, WriteFault.IGNORE);
            int before = controller.writes("main", AvPoint.DISPLAY_POWER);
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));

            queue.advanceTo(at("08:55"));
            assertThat(reports).isEmpty();
            queue.advanceBy(Duration.ofMillis(500));
            assertThat(reports).isEmpty();
            queue.advanceBy(Duration.ofSeconds(1));

            assertThat(controller.writes("main", AvPoint.DISPLAY_POWER) - before)
                    .isEqualTo(3);
            assertThat(reports)
                    .singleElement()
                    .asString()
                    .startsWith("fault main display-power: display-power on: not confirmed")
                    .contains("read back off", "3 tries");
            assertThat(room.status().faults()).containsKey(RoomFunction.DISPLAY_POWER);
            assertThat(main(AvPoint.LIGHTS_LEVEL)).isEqualTo(80.0); // the rest of the scene is set

            queue.advanceBy(Duration.ofSeconds(30));
            assertThat(reports).hasSize(1); // reported once, not at every retry
            controller.failWrites("main", AvPoint.DISPLAY_POWER, WriteFault.NONE);
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(reports).last().isEqualTo("restored main display-power");
            assertThat(room.status().faults()).isEmpty();
        }

        @Test
        void aRefusedWriteThatWorksOnARetryIsNoFault() {
            RoomAvScheduler room = started(main());
            controller.failNextWrites("main", AvPoint.DISPLAY_POWER, WriteFault.REFUSE, 2);
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));

            queue.advanceTo(at("08:55").plusMillis(1_500));

            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(reports).isEmpty();
        }

        @Test
        void aMappingToANodeTheControllerLacksIsAFaultAtOnceAndTheRestStillWorks() {
            // Why: retrying cannot fix a typo in the config; the technician must hear of it at once.
            RoomAvScheduler room = started(ghost());

            assertThat(reports)
                    .singleElement()
                    .asString()
                    .contains("fault ghost join-link", "ns=2;s=main/Display/Joinlink", "Bad_NodeIdUnknown");
            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(false);
            assertThat(room.status().unconfirmed()).containsExactly(RoomFunction.JOIN_LINK);
        }
    }

    @Nested
    class Overrides {
        @Test
        void anOverrideHoldsForTheCurrentBookingOnly() {
            // Why: a member who switches the display off for a whiteboard session must not see it come
            // back on every minute; the next booking starts from the scene again.
            RoomAvScheduler room = started(main());
            List<RoomBooking> day =
                    List.of(booking("b1", "09:00", "10:00", LINK), booking("b2", "11:00", "12:00", null));
            room.bookings(day);
            queue.advanceTo(at("09:10"));

            room.override(RoomFunction.DISPLAY_POWER, AvValue.of(false));
            room.override(RoomFunction.LIGHTS_LEVEL, AvValue.of(30));
            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(false);
            assertThat(main(AvPoint.LIGHTS_LEVEL)).isEqualTo(30.0);

            room.bookings(day); // the same bookings synced again
            queue.advanceTo(at("09:59"));
            assertThat(main(AvPoint.DISPLAY_POWER)).isEqualTo(false);
            assertThat(main(AvPoint.LIGHTS_LEVEL)).isEqualTo(30.0);
            assertThat(room.status().overridden())
                    .containsExactlyInAnyOrder(RoomFunction.DISPLAY_POWER, RoomFunction.LIGHTS_LEVEL);

            queue.advanceTo(at("10:55"));
            assertInScene("");
            assertThat(room.status().overridden()).isEmpty();
        }

        @Test
        void anOverrideOfAFunctionTheRoomLacksOrCannotWriteIsRefused() {
            RoomAvScheduler room = started(bare());

            assertThatThrownBy(() -> room.override(RoomFunction.JOIN_LINK, AvValue.of("x")))
                    .isInstanceOfSatisfying(
                            AvException.class, e -> assertThat(e.error()).isEqualTo(AvError.NOT_MAPPED))
                    .hasMessageContaining("display-power, lights-level");
            assertThatThrownBy(() -> started(main()).override(RoomFunction.PRESENCE, AvValue.of(true)))
                    .isInstanceOfSatisfying(
                            AvException.class, e -> assertThat(e.error()).isEqualTo(AvError.READ_ONLY));
        }
    }

    @Nested
    class Mappings {
        @Test
        void aRoomWithoutOptionalFunctionsRunsTheOnesItHas() {
            // Why: every function is optional; a room with only a display and lights is common.
            RoomAvScheduler room = started(bare());
            room.bookings(List.of(booking("b1", "09:00", "10:00", LINK)));

            queue.advanceTo(at("08:55"));

            assertThat(controller.value("bare", AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(controller.value("bare", AvPoint.LIGHTS_LEVEL)).isEqualTo(80.0);
            assertThat(room.status().wanted()).containsOnlyKeys(RoomFunction.DISPLAY_POWER, RoomFunction.LIGHTS_LEVEL);
            assertThat(reports).isEmpty();
        }

        @Test
        void valuesFollowTheDataTypesTheControllerGivesItsNodes() {
            // Why: this controller has lights as Int32, inputs numbered (UInt32) and a Float setpoint.
            RoomAvScheduler room = started(typed());
            assertThat(controller.value("typed", AvPoint.LIGHTS_LEVEL)).isEqualTo(5);
            room.bookings(List.of(booking("b1", "09:00", "10:00", null)));

            queue.advanceTo(at("08:50"));

            assertThat(controller.value("typed", AvPoint.LIGHTS_LEVEL)).isEqualTo(60);
            assertThat(controller.value("typed", AvPoint.DISPLAY_INPUT)).isEqualTo(2L);
            assertThat(controller.value("typed", AvPoint.HVAC_SETPOINT)).isEqualTo(22.5f);
            assertThat(reports).isEmpty();
        }
    }

    @Test
    void anUnreachableControllerHoldsUpOnlyItsOwnRoomsThread() throws IOException {
        // Why: doors and other rooms must never wait for a controller that does not answer.
        int port = RoomAvFixture.freePort();
        RoomSetup gone = new RoomSetup(
                "gone",
                "opc.tcp://127.0.0.1:" + port + "/rooms",
                Map.of(RoomFunction.DISPLAY_POWER, "ns=2;s=gone/Display/Power"),
                RoomScene.defaults());
        List<String> faultThreads = new CopyOnWriteArrayList<>();
        RoomAvListener threads = new RoomAvListener() {
            @Override
            public void fault(String room, RoomFunction function, String detail) {
                faultThreads.add(room + " on " + Thread.currentThread().getName() + ": " + detail);
            }

            @Override
            public void restored(String room, RoomFunction function) {}
        };
        Instant now = Clock.systemUTC().instant();
        try (RoomAvs rooms = RoomAvs.start(
                List.of(gone, main()),
                new MiloRoomAv(List.of(gone, main()), Duration.ofMillis(300)),
                Clock.systemUTC(),
                threads)) {
            RoomBooking meeting = new RoomBooking("b1", now.minusSeconds(60), now.plusSeconds(3600), Optional.of(LINK));

            assertThat(rooms.bookings("gone", List.of(meeting))).isTrue();
            assertThat(rooms.bookings("main", List.of(meeting))).isTrue();
            assertThat(rooms.bookings("phone-booth", List.of(meeting))).isFalse();

            await().atMost(Duration.ofSeconds(20)).until(() -> LINK.equals(main(AvPoint.JOIN_LINK)));
            await().atMost(Duration.ofSeconds(20)).until(() -> !faultThreads.isEmpty());
            assertThat(faultThreads)
                    .singleElement()
                    .asString()
                    .startsWith("gone on room-av-gone: display-power")
                    .contains("controller unreachable", "127.0.0.1:" + port);
            assertThat(rooms.status())
                    .extracting(RoomAvStatus::room, RoomAvStatus::mode)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("gone", RoomState.Mode.IN_USE),
                            org.assertj.core.groups.Tuple.tuple("main", RoomState.Mode.IN_USE));
        }
    }
}
