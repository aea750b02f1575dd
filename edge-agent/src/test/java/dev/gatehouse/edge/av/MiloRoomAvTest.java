package dev.gatehouse.edge.av;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sim.av.AvPoint;
import dev.gatehouse.sim.av.PointType;
import dev.gatehouse.sim.av.SimRoom;
import dev.gatehouse.sim.av.SimRoomController;
import dev.gatehouse.sim.av.WriteFault;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OPC UA adapter against a real OPC UA server (the simulated room controller, Milo, loopback,
 * SecurityPolicy None). It must rely on its mapping alone: node ids from the config, data types read
 * from the server, values converted to them, every write confirmed by a read-back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiloRoomAvTest {
    private SimRoomController controller;
    private MiloRoomAv av;

    @BeforeAll
    void start() {
        controller = SimRoomController.start(List.of(
                SimRoom.standard("room-1"),
                SimRoom.standard("typed")
                        .with(AvPoint.LIGHTS_LEVEL, PointType.INT32)
                        .with(AvPoint.DISPLAY_INPUT, PointType.UINT32)
                        .with(AvPoint.HVAC_SETPOINT, PointType.FLOAT)
                        .with(AvPoint.DISPLAY_POWER, PointType.INT32)));
        av = new MiloRoomAv(List.of(
                RoomAvFixture.setup(controller, "room-1"),
                RoomAvFixture.setup(controller, "typed"),
                // the same rooms through the namespace's URI instead of its index
                new RoomSetup(
                        "by-uri",
                        controller.endpointUrl(),
                        Map.of(
                                RoomFunction.DISPLAY_POWER,
                                controller
                                        .expandedNodeId("room-1", AvPoint.DISPLAY_POWER)
                                        .orElseThrow()),
                        RoomScene.defaults()),
                new RoomSetup(
                        "wrong",
                        controller.endpointUrl(),
                        Map.of(
                                RoomFunction.JOIN_LINK, "ns=2;s=room-1/Display/Link",
                                RoomFunction.DISPLAY_POWER, "nsu=urn:other:vendor;s=room-1/Display/Power"),
                        RoomScene.defaults())));
    }

    @AfterAll
    void stop() {
        av.close();
        controller.close();
    }

    @BeforeEach
    void standby() {
        for (AvPoint point : AvPoint.values()) {
            controller.failWrites("room-1", point, WriteFault.NONE);
        }
        controller.set("room-1", AvPoint.DISPLAY_POWER, false);
    }

    private static Map<RoomFunction, AvValue> values(Object... functionsAndValues) {
        Map<RoomFunction, AvValue> out = new LinkedHashMap<>();
        for (int i = 0; i < functionsAndValues.length; i += 2) {
            out.put((RoomFunction) functionsAndValues[i], (AvValue) functionsAndValues[i + 1]);
        }
        return out;
    }

    @Nested
    class VerifiedWrites {
        @Test
        void aSceneIsWrittenInOneGoAndEachValueConfirmedByReadBack() {
            Map<RoomFunction, AvOutcome> outcomes = av.write(
                    "room-1",
                    values(
                            RoomFunction.DISPLAY_POWER, AvValue.of(true),
                            RoomFunction.DISPLAY_INPUT, AvValue.of("HDMI2"),
                            RoomFunction.JOIN_LINK, AvValue.of("https://meet.example/abc"),
                            RoomFunction.LIGHTS_LEVEL, AvValue.of(75),
                            RoomFunction.HVAC_SETPOINT, AvValue.of(21.5)));

            assertThat(outcomes)
                    .containsEntry(RoomFunction.DISPLAY_POWER, new AvOutcome.Confirmed(AvValue.of(true)))
                    .containsEntry(RoomFunction.DISPLAY_INPUT, new AvOutcome.Confirmed(AvValue.of("HDMI2")))
                    .containsEntry(RoomFunction.LIGHTS_LEVEL, new AvOutcome.Confirmed(AvValue.of(75)))
                    .containsEntry(RoomFunction.HVAC_SETPOINT, new AvOutcome.Confirmed(AvValue.of(21.5)));
            assertThat(controller.value("room-1", AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(controller.value("room-1", AvPoint.JOIN_LINK)).isEqualTo("https://meet.example/abc");
            assertThat(controller.value("room-1", AvPoint.HVAC_SETPOINT)).isEqualTo(21.5);
        }

        @Test
        void aRefusedWriteSaysTheControllersStatus() {
            controller.failWrites("room-1", AvPoint.DISPLAY_POWER, WriteFault.REFUSE);

            assertThat(av.write("room-1", values(RoomFunction.DISPLAY_POWER, AvValue.of(true))))
                    .containsEntry(RoomFunction.DISPLAY_POWER, new AvOutcome.Refused("Bad_NotWritable"));
        }

        @Test
        void aWriteAnsweredGoodThatDidNotStickIsNotConfirmed() {
            // Why: a display that drops commands while it warms up answers Good; only the read-back tells.
            controller.failWrites("room-1", AvPoint.DISPLAY_POWER, WriteFault.IGNORE);

            AvOutcome outcome = av.write("room-1", values(RoomFunction.DISPLAY_POWER, AvValue.of(true)))
                    .get(RoomFunction.DISPLAY_POWER);

            assertThat(outcome).isInstanceOf(AvOutcome.NotConfirmed.class);
            assertThat(outcome.describe()).contains("wrote on", "read back off");
            assertThat(outcome.retryable()).isTrue();
        }

        @Test
        void aValueOutOfTheControllersRangeIsRefusedByIt() {
            assertThat(av.write("room-1", values(RoomFunction.HVAC_SETPOINT, AvValue.of(4))))
                    .containsEntry(RoomFunction.HVAC_SETPOINT, new AvOutcome.Refused("Bad_OutOfRange"));
        }

        @Test
        void thePresenceSensorIsRead() {
            controller.setPresence("room-1", true);
            assertThat(av.read("room-1", RoomFunction.PRESENCE)).isEqualTo(new AvOutcome.Confirmed(AvValue.of(true)));
            controller.setPresence("room-1", false);
            assertThat(av.read("room-1", RoomFunction.PRESENCE)).isEqualTo(new AvOutcome.Confirmed(AvValue.of(false)));
        }
    }

    @Nested
    class TypesReadFromTheServer {
        @Test
        void valuesAreConvertedToEachNodesDataType() {
            // Why: this controller has its lights and power as Int32, its input as a UInt32 and its
            // setpoint as a Float; a client that sent Doubles and Booleans would be refused
            // (Bad_TypeMismatch).
            Map<RoomFunction, AvOutcome> outcomes = av.write(
                    "typed",
                    values(
                            RoomFunction.DISPLAY_POWER, AvValue.of(true),
                            RoomFunction.DISPLAY_INPUT, AvValue.of(3),
                            RoomFunction.LIGHTS_LEVEL, AvValue.of(80.4),
                            RoomFunction.HVAC_SETPOINT, AvValue.of(21.5)));

            assertThat(outcomes.values()).allMatch(outcome -> outcome instanceof AvOutcome.Confirmed, "confirmed");
            assertThat(controller.value("typed", AvPoint.DISPLAY_POWER)).isEqualTo(1);
            assertThat(controller.value("typed", AvPoint.DISPLAY_INPUT)).isEqualTo(3L);
            assertThat(controller.value("typed", AvPoint.LIGHTS_LEVEL)).isEqualTo(80);
            assertThat(controller.value("typed", AvPoint.HVAC_SETPOINT)).isEqualTo(21.5f);
        }

        @Test
        void aValueTheNodesTypeCannotHoldIsAMappingFaultNotARetry() {
            AvOutcome outcome = av.write("typed", values(RoomFunction.DISPLAY_INPUT, AvValue.of("HDMI1")))
                    .get(RoomFunction.DISPLAY_INPUT);

            assertThat(outcome).isInstanceOf(AvOutcome.Misconfigured.class);
            assertThat(outcome.describe()).contains("UInt32", "'HDMI1'", "whole number");
            assertThat(outcome.retryable()).isFalse();
        }

        @Test
        void aNodeIdWithTheNamespacesUriIsResolvedOnTheServer() {
            assertThat(av.write("by-uri", values(RoomFunction.DISPLAY_POWER, AvValue.of(true))))
                    .containsEntry(RoomFunction.DISPLAY_POWER, new AvOutcome.Confirmed(AvValue.of(true)));
            assertThat(controller.value("room-1", AvPoint.DISPLAY_POWER)).isEqualTo(true);
        }

        @Test
        void aMappedNodeOrNamespaceTheControllerLacksIsAMappingFault() {
            Map<RoomFunction, AvOutcome> outcomes = av.write(
                    "wrong",
                    values(RoomFunction.JOIN_LINK, AvValue.of("x"), RoomFunction.DISPLAY_POWER, AvValue.of(true)));

            assertThat(outcomes.get(RoomFunction.JOIN_LINK).describe())
                    .contains("ns=2;s=room-1/Display/Link", "Bad_NodeIdUnknown");
            assertThat(outcomes.get(RoomFunction.DISPLAY_POWER).describe()).contains("urn:other:vendor");
            assertThat(outcomes.values()).allMatch(outcome -> outcome instanceof AvOutcome.Misconfigured, "mapping");
        }

        @Test
        void aFunctionWithoutANodeIsAMappingFault() {
            assertThat(av.write("by-uri", values(RoomFunction.LIGHTS_LEVEL, AvValue.of(50)))
                            .get(RoomFunction.LIGHTS_LEVEL))
                    .isEqualTo(new AvOutcome.Misconfigured("no node is mapped for lights-level"));
        }
    }

    @Test
    void aControllerThatIsNotThereIsUnreachableWithinTheTimeoutAndTriedAgainLater() throws IOException {
        int port = RoomAvFixture.freePort();
        RoomSetup absent = new RoomSetup(
                "gone",
                "opc.tcp://127.0.0.1:" + port + "/rooms",
                Map.of(RoomFunction.DISPLAY_POWER, "ns=2;s=gone/Display/Power"),
                RoomScene.defaults());
        try (MiloRoomAv unreachable = new MiloRoomAv(List.of(absent), Duration.ofMillis(500))) {
            Map<RoomFunction, AvOutcome> first =
                    unreachable.write("gone", values(RoomFunction.DISPLAY_POWER, AvValue.of(true)));
            assertThat(first.get(RoomFunction.DISPLAY_POWER)).isInstanceOf(AvOutcome.Unreachable.class);
            assertThat(first.get(RoomFunction.DISPLAY_POWER).describe()).contains("127.0.0.1:" + port);

            // The controller comes up on that port: the next call connects.
            try (SimRoomController late =
                    SimRoomController.start("127.0.0.1", port, List.of(SimRoom.standard("gone")))) {
                assertThat(unreachable.write("gone", values(RoomFunction.DISPLAY_POWER, AvValue.of(true))))
                        .containsEntry(RoomFunction.DISPLAY_POWER, new AvOutcome.Confirmed(AvValue.of(true)));
                assertThat(late.value("gone", AvPoint.DISPLAY_POWER)).isEqualTo(true);
            }
        }
    }

    @Test
    void anUnknownRoomIsAMappingFault() {
        assertThat(av.read("nowhere", RoomFunction.PRESENCE)).isInstanceOf(AvOutcome.Misconfigured.class);
        assertThat(av.write("nowhere", values(RoomFunction.DISPLAY_POWER, AvValue.of(true))))
                .hasEntrySatisfying(RoomFunction.DISPLAY_POWER, outcome -> assertThat(outcome.describe())
                        .contains("nowhere"));
    }
}
